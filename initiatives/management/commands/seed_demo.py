"""A believable demo portfolio, loaded through the same importer organisations use."""

import csv
import io
import random
from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from initiatives.business_cases import services as business_cases_services
from initiatives.business_cases.models import ExchangeRate
from initiatives.core.choices import Stage
from initiatives.core.permissions import GOVERNANCE_GROUP, MACHINE_CLIENTS_GROUP
from initiatives.health.models import HealthReport, HealthReporterGrant
from initiatives.health.services import health_days_rebuild
from initiatives.ownership import services as ownership_services
from initiatives.portfolio.models import Initiative, Team, TeamMembership
from initiatives.readiness import services as readiness_services
from initiatives.readiness.models import ReadinessTemplate
from initiatives.regulation import selectors as regulation_selectors
from initiatives.regulation import services as regulation_services
from initiatives.transfer.importer import import_initiatives
from initiatives.transfer.parsing import COLUMNS
from initiatives.value import selectors as value_selectors
from initiatives.value import services as value_services

DEMO_PASSWORD = "demo"  # noqa: S105 - the README names it; for the local demo only

PEOPLE = [
    # username, first, last, governance
    ("demo", "Demo", "Administrator", True),
    ("olga", "Olga", "Petrova", False),
    ("ravi", "Ravi", "Shankar", False),
    ("mei", "Mei", "Chen", False),
    ("tom", "Tom", "Becker", False),
    ("amara", "Amara", "Okafor", False),
    ("lucas", "Lucas", "Martin", False),
    ("sofia", "Sofia", "Rossi", True),
    ("ines", "Inês", "Duarte", False),
    ("kenji", "Kenji", "Watanabe", False),
    ("hannah", "Hannah", "Schmidt", False),
    ("felix", "Felix", "Wagner", False),  # deactivated: his systems are ownerless
]
SPONSORS = ["hannah", "tom", "sofia"]
OWNERS = ["olga", "ravi", "mei", "amara", "lucas", "ines", "kenji"]
UNITS = ["Retail Banking", "Claims", "Supply Chain", "Customer Service", "Finance", "HR"]
TEAMS = ["ML Platform", "Claims Analytics", "Forecasting", "Service Automation", "Risk Models"]
IDEAS = [
    ("Invoice matching", "Match supplier invoices to purchase orders and flag mismatches."),
    ("Claims triage", "Route incoming claims by complexity and likely fraud."),
    ("Demand forecast", "Forecast weekly demand per store and product family."),
    ("Call summarisation", "Summarise support calls into the CRM after each call."),
    ("Churn early warning", "Score customers monthly for the risk of leaving."),
    ("CV screening assistant", "Shortlist applicants against the role's criteria."),
    ("Contract clause search", "Find risky clauses across the contract archive."),
    ("Fraud scoring", "Score card transactions for fraud in real time."),
    ("Route optimisation", "Plan delivery routes that cut distance and late drops."),
    ("Knowledge-base chatbot", "Answer staff questions from the policy handbook."),
    ("Expense anomaly detection", "Flag unusual expense claims for review."),
    ("Document classification", "Classify inbound mail into the right work queue."),
    ("Credit limit advisor", "Suggest credit limit changes with reasons."),
    ("Stock-out prediction", "Warn stores of stock-outs three days ahead."),
    ("Email intent routing", "Read customer e-mails and route them by intent."),
    ("Damage photo assessment", "Estimate repair cost from photos of vehicle damage."),
    ("Payroll error check", "Catch payroll errors before the monthly run."),
    ("Supplier risk radar", "Watch news and filings for supplier risk."),
    ("Next best offer", "Choose the next offer for each customer contact."),
    ("Translation for agents", "Translate chats for support agents in real time."),
    ("Cash-flow forecast", "Forecast daily cash positions per entity."),
    ("Meeting notes assistant", "Draft meeting notes and actions from transcripts."),
    ("Returns prediction", "Predict returns at checkout to reduce reverse logistics."),
    ("Underwriting assistant", "Pre-fill underwriting files from submitted documents."),
    ("Shift planning", "Plan staff shifts against forecast footfall."),
    ("Anti-money-laundering alerts", "Prioritise AML alerts for investigators."),
    ("Procurement spend cube", "Classify spend lines into categories."),
    ("Sentiment dashboard", "Track customer sentiment across channels."),
    ("Policy Q&A for customers", "Answer policy questions on the website."),
    ("Maintenance prediction", "Predict conveyor failures in warehouses."),
    ("Tax code suggestion", "Suggest tax codes for invoice lines."),
    ("Job description writer", "Draft inclusive job descriptions."),
    ("Complaint root causes", "Cluster complaints to find their root causes."),
    ("Price elasticity model", "Estimate price elasticity per product."),
    ("Accessibility checker", "Check customer letters for plain language."),
    ("Onboarding document check", "Verify identity documents at onboarding."),
]
# stage, days in stage (range), has owner
STAGE_PLAN = (
    [(Stage.IDEA, (5, 60), False)] * 6
    + [(Stage.POC, (10, 80), False)] * 5
    + [(Stage.POC, (120, 300), False)] * 5  # stalled in POC
    + [(Stage.PILOT, (20, 100), True)] * 5
    + [(Stage.PILOT, (150, 260), True)] * 3  # stalled in pilot
    + [(Stage.PILOT, (30, 90), False)] * 2  # ownerless
    + [(Stage.PRODUCTION, (60, 500), True)] * 7
    + [(Stage.RETIRED, (30, 200), True)] * 1
    + [(Stage.CANCELLED, (10, 200), False)] * 2
)


class Command(BaseCommand):
    help = "Load a demo portfolio and demo accounts (password 'demo'). Does nothing if loaded."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="load it although DJANGO_DEBUG is off (a throwaway database only)",
        )

    def handle(self, *args, force: bool = False, **options):
        if not settings.DEBUG and not force:
            # Its accounts all have the password "demo", one of them a superuser.
            raise CommandError(
                "seed_demo creates accounts whose password is 'demo', including a superuser, "
                "so it runs only with DJANGO_DEBUG=1. On a throwaway database, add --force."
            )
        if Initiative.objects.exists():
            self.stdout.write("The portfolio already has initiatives; demo data not loaded.")
            return
        with transaction.atomic():
            people = self._people()
            self._portfolio(people)
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo portfolio loaded: {Initiative.objects.count()} initiatives. "
                f"Sign in as 'demo' with password '{DEMO_PASSWORD}'."
            )
        )

    def _people(self):
        User = get_user_model()
        governance, _ = Group.objects.get_or_create(name=GOVERNANCE_GROUP)
        people = {}
        for username, first, last, is_governance in PEOPLE:
            user, created = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                },
            )
            if created:
                user.set_password(DEMO_PASSWORD)
                user.is_staff = user.is_superuser = username == "demo"
                user.save()
            if is_governance:
                user.groups.add(governance)
            people[username] = user
        for name in TEAMS:
            Team.objects.get_or_create(name=name, defaults={"email": ""})
        return people

    def _portfolio(self, people):
        rng = random.Random(7)  # the same demo every time
        now = timezone.now()
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=COLUMNS)
        writer.writeheader()
        for (name, summary), (stage, days, has_owner) in zip(IDEAS, STAGE_PLAN, strict=False):
            entered = now - timedelta(days=rng.randint(*days))
            owner = rng.choice(OWNERS) if has_owner else ""
            confirmed = ""
            if owner:
                # Some owners confirmed recently, some long ago (stale ownership).
                confirmed = (now - timedelta(days=rng.choice([3, 20, 45, 80, 130, 200]))).date()
            writer.writerow(
                {
                    "name": name,
                    "slug": "",
                    "summary": summary,
                    "business_unit": rng.choice(UNITS),
                    "stage": stage,
                    "stage_entered_at": entered.date().isoformat(),
                    "sponsor": rng.choice(SPONSORS),
                    "production_owner": owner,
                    "owning_team": rng.choice(TEAMS) if owner else "",
                    "owner_confirmed_at": confirmed.isoformat() if confirmed else "",
                    "risk_tier": rng.choice(["low", "medium", "medium", "high", "critical"]),
                    "target_production_date": (now + timedelta(days=rng.randint(30, 300)))
                    .date()
                    .isoformat()
                    if stage in (Stage.IDEA, Stage.POC, Stage.PILOT)
                    else "",
                }
            )
        import_initiatives(out.getvalue(), actor=people["demo"], source="the demo seed")

        initiatives = list(Initiative.objects.order_by("pk"))
        for initiative in initiatives:
            for username in rng.sample([*OWNERS, "tom", "felix"], 3):
                TeamMembership.objects.get_or_create(initiative=initiative, user=people[username])

        # Stories worth seeing on first start.
        pilots = [i for i in initiatives if i.stage == Stage.PILOT and i.production_owner_id]
        ownership_services.handover_start(
            initiative=pilots[0],
            actor=people["demo"],
            to_owner=people["olga"]
            if pilots[0].production_owner != people["olga"]
            else people["ravi"],
            note="The forecasting team takes over from the pilot team.",
        )
        # Asked by the team, so the demo's governance reviewers may decide it (nobody
        # decides their own request: the README's separation of duties).
        ownership_services.promotion_request_create(
            initiative=pilots[1], actor=_a_team_member(pilots[1]), note="Pilot met its targets."
        )
        felix_owned = pilots[2]
        ownership_services.handover_start(
            initiative=felix_owned, actor=people["demo"], to_owner=people["felix"]
        )
        handover = felix_owned.handovers.get(status="pending")
        ownership_services.handover_accept(
            handover=handover,
            actor=people["felix"],
            confirms_skills=True,
            confirms_mandate=True,
            confirms_budget=True,
        )
        people["felix"].is_active = False  # left the company: his system is now ownerless
        people["felix"].save()
        self._business_cases(rng, people, initiatives)
        self._exchange_rates(people)
        self._readiness(rng, people, initiatives)
        self._health(rng, people, initiatives)
        self._value(rng, people, initiatives)
        self._classifications(people, initiatives)

    def _health(self, rng, people, initiatives):
        """90 days of reports (every 6 hours) for production systems: most healthy, one
        degraded, one silent for two days, one whose evaluation score dropped."""
        bot = get_user_model().objects.create(username="monitoring-bot", first_name="Monitoring")
        bot.set_unusable_password()
        bot.save()
        bot.groups.add(Group.objects.get_or_create(name=MACHINE_CLIENTS_GROUP)[0])
        now = timezone.now()
        live = [i for i in initiatives if i.stage == Stage.PRODUCTION]
        reports = []
        for index, initiative in enumerate(live):
            HealthReporterGrant.objects.create(user=bot, initiative=initiative)
            silent = index == 1
            eval_base = rng.uniform(0.82, 0.93)
            for step in range(90 * 4):
                moment = now - timedelta(hours=6 * step + 1)
                if silent and step < 8:
                    continue
                degraded = index == 2 and step < 6
                drop = index == 3 and step == 0
                reports.append(
                    HealthReport(
                        initiative=initiative,
                        observed_at=moment,
                        reported_by=bot,
                        availability=round(
                            rng.uniform(98.6, 99.4) if degraded else rng.uniform(99.6, 100), 3
                        ),
                        latency_p95_ms=round(rng.uniform(180, 420), 1),
                        error_rate=round(rng.uniform(0.0, 0.004), 5),
                        data_freshness_hours=round(rng.uniform(1, 8), 1),
                        data_quality_pass_rate=round(rng.uniform(0.985, 1.0), 4),
                        eval_score=round(
                            eval_base - 0.15 if drop else eval_base + rng.uniform(-0.01, 0.01), 4
                        ),
                    )
                )
        HealthReport.objects.bulk_create(reports, batch_size=2000)
        health_days_rebuild(initiative_ids={r.initiative_id for r in reports})

    def _value(self, rng, people, initiatives):
        """Value reports for production systems with an approved case: most report every
        ended quarter near plan; one under-delivers (a third of plan: the scan flags a value
        shortfall); one has never reported (the scan flags it unreported)."""
        live = [i for i in initiatives if i.stage == Stage.PRODUCTION]
        found = value_selectors.comparisons(live)
        reporting = [i for i in live if i.pk in found and found[i.pk].rows]
        for index, initiative in enumerate(reporting):
            if index == 2:
                continue  # never reported: value_unreported
            share = Decimal("0.33") if index == 1 else None
            owner = initiative.production_owner
            actor = owner if owner and owner.is_active and initiative.owner_accepted_at else None
            for row in found[initiative.pk].rows:
                factor = share or Decimal(rng.randint(85, 115)) / 100
                planned = row.this_quarter.planned.lines
                value_services.value_report_save(
                    initiative=initiative,
                    actor=actor or people["demo"],
                    quarter=row.quarter,
                    data={
                        "revenue_protected": (planned["revenue_protected"] * factor).quantize(
                            Decimal("1")
                        ),
                        "revenue_protected_note": "From the retention dashboard.",
                        "costs_reduced": (planned["costs_reduced"] * factor).quantize(Decimal("1")),
                        # Hours valued at 50 an hour, as many as the plan's capacity value.
                        "capacity_hours": (planned["capacity"] * factor / 50).quantize(
                            Decimal("1")
                        ),
                        "hourly_rate": Decimal("50"),
                        "risk_mitigated": (planned["risk_mitigated"] * factor).quantize(
                            Decimal("1")
                        ),
                        "infrastructure_cost": planned["infrastructure"],
                        "team_cost": planned["team"],
                        "overhead_cost": planned["overhead"],
                        "run_cost_note": "Finance's quarterly cost report.",
                        "evidence_url": f"https://wiki.example.com/{initiative.slug}/value",
                    },
                )

    def _readiness(self, rng, people, initiatives):
        """What the pilot gate asks is done (or waived) on every system in pilot or
        production, as the gate would have required; production's own milestones are
        mostly done on live systems and partly on pilots. A proof of concept has started on
        pilot's list, so its stage page shows what it still needs. One initiative is
        measured with the ML Test Score."""
        demo, sofia = people["demo"], people["sofia"]
        default = ReadinessTemplate.objects.get(is_default=True)
        mlts = ReadinessTemplate.objects.get(key="ml-test-score")
        live = [i for i in initiatives if i.stage in (Stage.PILOT, Stage.PRODUCTION)]
        # A pilot whose benchmark evaluation governance waived (a rules engine, no model).
        waived_for_pilot = next(i for i in live if i.stage == Stage.PILOT)
        for initiative in live:
            share = 0.9 if initiative.stage == Stage.PRODUCTION else 0.4
            for milestone in default.milestones.all():
                if initiative == waived_for_pilot and milestone.key == "benchmark-evaluation":
                    readiness_services.milestone_waive(
                        initiative=initiative,
                        actor=sofia,
                        key=milestone.key,
                        justification="Rules engine in the pilot: no model to benchmark yet.",
                    )
                elif milestone.required_for == Stage.PILOT or rng.random() < share:
                    readiness_services.milestone_update(
                        initiative=initiative,
                        actor=demo,
                        key=milestone.key,
                        status="done",
                        evidence_url=f"https://wiki.example.com/{initiative.slug}/{milestone.key}",
                    )
        readiness_services.milestone_waive(
            initiative=live[0], actor=sofia, key="autoscaling", justification="Fixed nightly batch."
        )
        poc = next(i for i in initiatives if i.stage == Stage.POC)
        for key in ("automated-deploy", "unit-tests", "runbook"):
            readiness_services.milestone_update(
                initiative=poc,
                actor=demo,
                key=key,
                status="done",
                evidence_url=f"https://wiki.example.com/{poc.slug}/{key}",
            )
        scored = next(i for i in initiatives if i.stage == Stage.PRODUCTION)
        scored.readiness_template = mlts
        scored.save()
        for milestone in mlts.milestones.all():
            if rng.random() < 0.6:
                readiness_services.milestone_update(
                    initiative=scored,
                    actor=demo,
                    key=milestone.key,
                    status="done",
                    evidence_note="Reviewed in the quarterly ML review.",
                    check_mode=rng.choice(["manual", "automated"]),
                )

    def _business_cases(self, rng, people, initiatives):
        """Approved cases for most live systems; one awaiting review, one draft, some none."""
        demo, sofia = people["demo"], people["sofia"]

        def figures():
            hundred = Decimal(100)
            return {
                "currency": rng.choice(["EUR", "EUR", "GBP", "USD"]),
                "revenue_protected": hundred * rng.randint(0, 6000),
                "revenue_protected_rationale": "Customers kept, from last year's churn study.",
                "costs_reduced": hundred * rng.randint(100, 3000),
                "capacity_hours": Decimal(rng.randint(200, 6000)),
                "hourly_rate": Decimal(rng.choice([45, 60, 75, 90])),
                "capacity_rationale": "Hours counted from the team's time sheets.",
                "risk_mitigated": hundred * rng.randint(0, 2000),
                "build_cost": hundred * rng.randint(800, 6000),
                "infrastructure_cost": hundred * rng.randint(50, 900),
                "team_fte": Decimal(rng.choice(["0.5", "1", "1.5", "2", "3"])),
                "cost_per_fte": Decimal(rng.choice([70000, 85000, 100000])),
                "operational_overhead": hundred * rng.randint(20, 400),
            }

        live = [i for i in initiatives if i.stage in (Stage.PILOT, Stage.PRODUCTION, Stage.RETIRED)]
        for index, initiative in enumerate(live):
            if index % 5 == 4:
                continue  # no approved case: the scan flags it
            case = business_cases_services.business_case_create(
                initiative=initiative, actor=demo, data=figures(), submit=True
            )
            business_cases_services.business_case_review(
                case=case, actor=sofia, decision="approve", comment="Figures are sourced."
            )
            if index == 0:  # a second version, by the team, waits for review
                business_cases_services.business_case_create(
                    initiative=initiative,
                    actor=_a_team_member(initiative),
                    data=figures(),
                    submit=True,
                )
        pocs = [i for i in initiatives if i.stage == Stage.POC]
        business_cases_services.business_case_create(initiative=pocs[0], actor=demo, data=figures())

    def _exchange_rates(self, people):
        """USD and GBP in euros, an older rate and a current one each, so the portfolio's
        value waiting in the valley comes to one total (README "Reporting currency"). None
        when the reporting currency is not the euro, or for a currency not in use."""
        if settings.PORTAL_REPORTING_CURRENCY != "EUR":
            return  # these are the euro's rates
        today = timezone.localdate()
        in_euros = {"USD": ("0.9050", "0.9210"), "GBP": ("1.1620", "1.1840")}
        for currency, (older, current) in in_euros.items():
            if currency not in settings.PORTAL_CURRENCIES:
                continue
            for rate, valid_from in ((older, today - timedelta(days=120)), (current, today)):
                exchange_rate = ExchangeRate(
                    currency=currency,
                    rate=Decimal(rate),
                    valid_from=valid_from.replace(day=1),
                    entered_by=people["demo"],
                    note="The ECB's reference rate on the first of the month.",
                )
                exchange_rate.full_clean()
                exchange_rate.save()

    def _classifications(self, people, initiatives):
        """EU AI Act classifications: some high-risk, one with transparency duties only, one
        minimal, one awaiting confirmation; the rest of pilot and production is flagged
        unclassified by the scan."""
        plan = {
            # name: (answers, confirmed)
            "CV screening assistant": ({"role": "provider", "annex_iii": "p4a"}, True),
            "Credit limit advisor": ({"role": "deployer", "annex_iii": "p5b"}, True),
            "Underwriting assistant": (
                {"role": "deployer", "annex_iii": "p5c", "synthetic_content": "yes"},
                True,
            ),
            "Policy Q&A for customers": ({"role": "deployer", "interacts": "yes"}, True),
            "Procurement spend cube": ({"role": "both"}, True),
            "Shift planning": (
                {"role": "provider", "annex_iii": "p4b", "profiling": "yes"},
                False,
            ),
        }
        by_name = {i.name: i for i in initiatives}
        questions = regulation_selectors.questions()
        for name, (given, confirmed) in plan.items():
            initiative = by_name[name]
            answers = {
                q.key: ["none"] if q.kind == "several" else "none" if q.key == "annex_iii" else "no"
                for q in questions
            }
            answers.update(given)
            member = (
                TeamMembership.objects.filter(initiative=initiative, user__is_active=True)
                .order_by("pk")
                .first()
                .user
            )
            classification = regulation_services.classification_submit(
                initiative=initiative, actor=member, answers=answers
            )
            if confirmed:
                regulation_services.classification_confirm(
                    classification=classification,
                    actor=people["demo"],
                    comment="Checked against the use case description.",
                )


def _a_team_member(initiative):
    """The first contributor of the initiative's team (the demo always gives it three)."""
    return TeamMembership.objects.filter(initiative=initiative).order_by("pk").first().user
