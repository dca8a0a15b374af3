"""Seed a large, realistic portfolio for load tests and benchmarks.

    python manage.py seed_portfolio --initiatives 10000 [--seed 1] [--health-days 30]

Every initiative walks the lifecycle one step at a time with its stage transitions and
timeline recorded, so the valley of death, the conversion rates and the history look like
a real portfolio's. Pilot and production systems get accepted owners (a few pending or
missing), business cases (approved, submitted, drafts), readiness records, and production
systems daily health reports. A scan at the end raises the flags and stores health.

Rows are written in bulk (with their history rows), so 10,000 initiatives take about a
minute. It refuses to run twice on the same database: slugs start with `load-`.
"""

import random
from datetime import timedelta
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from initiatives.business_cases.models import BusinessCase
from initiatives.core.choices import (
    STAGE_ORDER,
    BusinessCaseStatus,
    EventKind,
    HandoverStatus,
    RiskTier,
    Stage,
)
from initiatives.dashboards import standings
from initiatives.health.models import HealthReport
from initiatives.health.services import health_days_rebuild
from initiatives.ownership.models import OwnershipHandover
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    StageTransition,
    Team,
)
from initiatives.watch import scan

User = get_user_model()

# Where initiatives end up: most never leave POC, few reach production (the valley).
FINAL_STAGES = [
    (Stage.IDEA, 10),
    (Stage.POC, 34),
    (Stage.PILOT, 18),
    (Stage.PRODUCTION, 20),
    (Stage.RETIRED, 4),
    (Stage.CANCELLED, 14),
]
UNITS = [
    "Retail Banking",
    "Corporate Banking",
    "Wealth",
    "Insurance",
    "Risk",
    "Finance",
    "Operations",
    "HR",
    "Legal",
    "Marketing",
    "IT",
    "Customer Service",
]
TOPICS = [
    "claims triage",
    "churn forecast",
    "fraud scoring",
    "document summariser",
    "call-centre assistant",
    "credit limit advisor",
    "invoice matching",
    "KYC screening",
    "demand forecast",
    "contract review",
    "email router",
    "anomaly detector",
]


class Command(BaseCommand):
    help = "Seed a large, realistic portfolio (load tests and benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--initiatives", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=1, help="Random seed (repeatable).")
        parser.add_argument(
            "--health-days", type=int, default=30, help="Days of health reports per system."
        )
        parser.add_argument("--no-scan", action="store_true", help="Skip the final scan.")

    def handle(self, *args, initiatives: int, seed: int, health_days: int, no_scan: bool, **kw):
        if initiatives < 1:
            raise CommandError("--initiatives must be at least 1.")
        if Initiative.objects.filter(slug__startswith="load-").exists():
            raise CommandError("This database already has a seeded portfolio (slugs load-*).")
        rng = random.Random(seed)
        now = timezone.now()
        with transaction.atomic():
            counts = self._seed(rng, now, initiatives, health_days)
        if not no_scan:
            report = scan.scan_portfolio()
            counts["flags opened"] = len(report.opened)
        # The bulk load left a change row per statement in the dashboards' counters: fold
        # them now, as the beat would within 10 minutes.
        standings.compact()
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # fresh planner statistics after a bulk load
        self.stdout.write(", ".join(f"{n} {what}" for what, n in counts.items()))

    def _seed(self, rng: random.Random, now, total: int, health_days: int) -> dict[str, int]:
        people_count = max(20, total // 20)
        people = User.objects.bulk_create(
            [
                User(
                    username=f"load-{i}",
                    email=f"load-{i}@example.com",
                    first_name=rng.choice(["Ada", "Ben", "Chen", "Dana", "Eli", "Fay", "Gus"]),
                    last_name=f"Person {i}",
                    is_active=i % 60 != 0,  # a few have left the company
                )
                for i in range(people_count)
            ],
            batch_size=2000,
        )
        units = [BusinessUnit.objects.get_or_create(name=name)[0] for name in UNITS]
        teams = [Team.objects.get_or_create(name=f"{name} AI")[0] for name in UNITS]
        reviewer = people[1]

        stages = [s for s, _ in FINAL_STAGES]
        weights = [w for _, w in FINAL_STAGES]
        rows, paths = [], []
        for i in range(total):
            final = rng.choices(stages, weights)[0]
            path = self._path(final, rng)
            # Walk back from now: each step took 20–200 days; the last one is the current.
            moments = [now - timedelta(days=rng.randint(1, 300), hours=rng.randint(0, 23))]
            for _ in path[1:]:
                moments.insert(0, moments[0] - timedelta(days=rng.randint(20, 200)))
            owned = path[-1] in (Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED)
            owner = rng.choice(people) if owned and rng.random() > 0.06 else None
            accepted = owner is not None and rng.random() > 0.05
            unit = rng.randrange(len(units))
            rows.append(
                Initiative(
                    name=f"{UNITS[unit]} {rng.choice(TOPICS)} {i}",
                    slug=f"load-{i}",
                    summary=f"Load-test initiative {i}: {rng.choice(TOPICS)} for {UNITS[unit]}.",
                    business_unit=units[unit],
                    sponsor=rng.choice(people),
                    risk_tier=rng.choice(RiskTier.values),
                    stage=path[-1],
                    stage_entered_at=moments[-1],
                    target_production_date=(now + timedelta(days=rng.randint(-90, 365))).date(),
                    production_owner=owner,
                    owner_accepted_at=moments[-1] if accepted else None,
                    owner_confirmed_at=now - timedelta(days=rng.randint(1, 150))
                    if accepted
                    else None,
                    owning_team=teams[unit] if owner else None,
                    backup_owner=rng.choice(people) if owner and rng.random() > 0.5 else None,
                    created_at=moments[0],
                )
            )
            paths.append((path, moments, owner, accepted))
        for row in rows:
            if row.backup_owner_id == row.production_owner_id:
                row.backup_owner = None
        created = bulk_create_with_history(
            rows, Initiative, batch_size=2000, default_change_reason="Seeded (load test)"
        )
        # bulk_create_with_history returns the objects; fetch ids by slug where the
        # database did not return them (SQLite < 3.35).
        ids = dict(Initiative.objects.filter(slug__startswith="load-").values_list("slug", "pk"))

        transitions, events, handovers, cases, reports = [], [], [], [], []
        for initiative, (path, moments, owner, accepted) in zip(created, paths, strict=True):
            pk = ids[initiative.slug]
            for before, after, at in zip(path, path[1:], moments[1:], strict=False):
                transitions.append(
                    StageTransition(
                        initiative_id=pk, from_stage=before, to_stage=after, actor=reviewer, at=at
                    )
                )
                events.append(
                    InitiativeEvent(
                        initiative_id=pk,
                        actor=reviewer,
                        kind=EventKind.STAGE_CHANGED,
                        params={"from_stage": before, "to_stage": after},
                        at=at,
                    )
                )
            if owner is not None:
                handovers.append(
                    OwnershipHandover(
                        initiative_id=pk,
                        to_owner=owner,
                        requested_by=reviewer,
                        requested_at=moments[-1] - timedelta(days=3),
                        status=HandoverStatus.ACCEPTED if accepted else HandoverStatus.PENDING,
                        decided_at=moments[-1] if accepted else None,
                        confirms_skills=accepted,
                        confirms_mandate=accepted,
                        confirms_budget=accepted,
                    )
                )
            if Stage.PILOT in path or (path[-1] == Stage.POC and rng.random() < 0.3):
                cases.extend(self._cases(pk, path, moments, people, reviewer, rng))
            if path[-1] == Stage.PRODUCTION and health_days:
                reports.extend(self._health(pk, now, health_days, rng))
        StageTransition.objects.bulk_create(transitions, batch_size=5000)
        InitiativeEvent.objects.bulk_create(events, batch_size=5000)
        bulk_create_with_history(
            handovers, OwnershipHandover, batch_size=2000, default_change_reason="Seeded"
        )
        bulk_create_with_history(
            cases, BusinessCase, batch_size=2000, default_change_reason="Seeded"
        )
        HealthReport.objects.bulk_create(reports, batch_size=5000)
        health_days_rebuild(initiative_ids={r.initiative_id for r in reports})
        return {
            "initiatives": len(rows),
            "people": len(people),
            "transitions": len(transitions),
            "handovers": len(handovers),
            "business cases": len(cases),
            "health reports": len(reports),
        }

    @staticmethod
    def _path(final: str, rng: random.Random) -> list[str]:
        """The stages walked to reach `final`; cancelled ones stop somewhere on the way."""
        if final == Stage.CANCELLED:
            stop = rng.choices([Stage.IDEA, Stage.POC, Stage.PILOT], [2, 6, 2])[0]
            return [*STAGE_ORDER[: STAGE_ORDER.index(stop) + 1], Stage.CANCELLED]
        return list(STAGE_ORDER[: STAGE_ORDER.index(final) + 1])

    @staticmethod
    def _cases(pk, path, moments, people, reviewer, rng) -> list[BusinessCase]:
        money = lambda low, high: Decimal(rng.randint(low, high)) * 1000  # noqa: E731
        base = {
            "initiative_id": pk,
            "currency": "EUR",
            "revenue_protected": money(0, 900),
            "costs_reduced": money(0, 500),
            "capacity_hours": Decimal(rng.randint(0, 5000)),
            "hourly_rate": Decimal(rng.randint(40, 120)),
            "risk_mitigated": money(0, 300),
            "build_cost": money(50, 800),
            "infrastructure_cost": money(10, 200),
            "team_fte": Decimal(rng.randint(1, 8)),
            "cost_per_fte": money(80, 140),
            "operational_overhead": money(0, 100),
            "created_by": rng.choice(people),
        }
        submitted = moments[min(1, len(moments) - 1)]
        if Stage.PILOT not in path:  # a POC writing its first case
            return [BusinessCase(version=1, status=BusinessCaseStatus.DRAFT, **base)]
        approved = Stage.PRODUCTION in path or rng.random() < 0.6
        return [
            BusinessCase(
                version=1,
                status=BusinessCaseStatus.APPROVED if approved else BusinessCaseStatus.SUBMITTED,
                submitted_by=base["created_by"],
                submitted_at=submitted,
                reviewed_by=reviewer if approved else None,
                reviewed_at=submitted + timedelta(days=5) if approved else None,
                **base,
            )
        ]

    @staticmethod
    def _health(pk, now, days, rng) -> list[HealthReport]:
        silent_for = rng.choice([0] * 9 + [3])  # one system in ten went quiet days ago
        quality = rng.uniform(0.85, 0.99)
        return [
            HealthReport(
                initiative_id=pk,
                observed_at=now - timedelta(days=day, minutes=rng.randint(0, 59)),
                availability=rng.uniform(97.5, 100),
                latency_p95_ms=rng.uniform(80, 900),
                error_rate=rng.uniform(0, 0.03),
                data_freshness_hours=rng.uniform(0, 30),
                data_quality_pass_rate=rng.uniform(0.9, 1),
                eval_score=quality - rng.uniform(0, 0.02),
            )
            for day in range(silent_for, days)
        ]
