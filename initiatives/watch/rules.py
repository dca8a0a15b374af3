"""Flag rules: one small, set-based query per kind (README "The watch").

A rule takes the moment it judges (`as_of`) and returns, for every initiative whose
condition holds, the facts that raise the flag: `{initiative_id: {...}}`. It reads the
whole portfolio in one query, so the scan's query count does not grow with the portfolio.
Later features add a kind with `@rule(FlagKind.X)` in their own module.
"""

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from initiatives.business_cases.models import BusinessCase
from initiatives.core.choices import (
    OWNED_STAGES,
    BusinessCaseStatus,
    FlagKind,
    HandoverStatus,
    HealthStatus,
    MilestoneStatus,
    Stage,
)
from initiatives.core.formats import day
from initiatives.health.status import HealthState, state_of, with_health
from initiatives.ownership.models import OwnershipHandover
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import ApplicableObligation, MilestoneRecord
from initiatives.regulation.selectors import confirmed_exists
from initiatives.value import selectors as value_selectors

Rule = Callable[[datetime], dict[int, dict]]

_RULES: dict[str, Rule] = {}


def rule(kind: str) -> Callable[[Rule], Rule]:
    """Register `function` as the rule of flag kind `kind`. Every flag it raises says why in
    its facts' "reason": a sentence fragment pages and e-mails show as it is."""

    def register(function: Rule) -> Rule:
        _RULES[kind] = _with_reasons(kind, function)
        return function

    return register


def _with_reasons(kind: str, function: Rule) -> Rule:
    def checked(as_of: datetime) -> dict[int, dict]:
        found = function(as_of)
        for facts in found.values():
            if not facts.get("reason"):
                raise ValueError(f"The {kind} rule raised a flag without a reason: {facts}")
        return found

    return checked


def rules() -> dict[str, Rule]:
    return dict(_RULES)


def days_between(as_of: datetime, since: datetime | None) -> int | None:
    """Whole days from `since` to `as_of`; None when there is no `since`."""
    return None if since is None else (as_of - since).days


def stalled_limits() -> dict[str, int]:
    return {
        Stage.POC: settings.PORTAL_STALLED_POC_DAYS,
        Stage.PILOT: settings.PORTAL_STALLED_PILOT_DAYS,
    }


@rule(FlagKind.STALLED)
def stalled(as_of: datetime) -> dict[int, dict]:
    """In POC or pilot for longer than that stage's limit (day 90 is not yet stalled)."""
    limits = stalled_limits()
    condition = Q()
    for stage, days in limits.items():
        condition |= Q(stage=stage, stage_entered_at__lt=as_of - timedelta(days=days))
    rows = Initiative.objects.filter(condition).values_list("pk", "stage", "stage_entered_at")
    return {
        pk: {
            "stage": stage,
            "days_in_stage": days_between(as_of, entered),
            "limit_days": limits[stage],
            "reason": stalled_reason(days_between(as_of, entered), stage, limits[stage]),
        }
        for pk, stage, entered in rows
    }


def stalled_reason(days: int | None, stage: str, limit: int) -> str:
    return f"{days} days in {Stage(stage).label.lower()} (limit {limit} days)"


def ownerless_condition(as_of: datetime) -> Q:
    """In pilot or production with no owner, a deactivated owner, or a handover pending too
    long. Shared with stale ownership, which only applies to owned systems."""
    pending_too_long = Exists(
        OwnershipHandover.objects.filter(
            initiative=OuterRef("pk"),
            status=HandoverStatus.PENDING,
            requested_at__lt=as_of - timedelta(days=settings.PORTAL_HANDOVER_PENDING_DAYS),
        )
    )
    return Q(stage__in=OWNED_STAGES) & (
        Q(production_owner__isnull=True)
        | Q(production_owner__is_active=False)
        | Q(pending_too_long)
    )


@rule(FlagKind.OWNERLESS)
def ownerless(as_of: datetime) -> dict[int, dict]:
    return ownerless_among(as_of)


def ownerless_among(
    as_of: datetime, initiative_ids: Iterable[int] | None = None
) -> dict[int, dict]:
    """The ownerless rule, over the whole portfolio or only `initiative_ids` (the leaver
    path judges just the systems of a person who left, without waiting for the scan)."""
    initiatives = Initiative.objects.filter(ownerless_condition(as_of))
    if initiative_ids is not None:
        initiatives = initiatives.filter(pk__in=list(initiative_ids))
    rows = initiatives.values_list(
        "pk", "stage", "production_owner__username", "production_owner__is_active"
    )
    facts = {}
    for pk, stage, owner, active in rows:
        if owner is None:
            reason = "no production owner is named"
        elif not active:
            reason = f"the owner's account ({owner}) is deactivated"
        else:
            reason = (
                f"the handover to {owner} has been pending for more than "
                f"{settings.PORTAL_HANDOVER_PENDING_DAYS} days"
            )
        facts[pk] = {"stage": stage, "owner": owner, "reason": reason}
    return facts


@rule(FlagKind.STALE_OWNERSHIP)
def stale_ownership(as_of: datetime) -> dict[int, dict]:
    """An accepted, active owner whose last confirmation is older than the limit."""
    limit = settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS
    cutoff = as_of - timedelta(days=limit)
    rows = (
        Initiative.objects.filter(
            stage__in=OWNED_STAGES,
            production_owner__isnull=False,
            production_owner__is_active=True,
            owner_accepted_at__isnull=False,
        )
        .filter(Q(owner_confirmed_at__lt=cutoff) | Q(owner_confirmed_at__isnull=True))
        .exclude(ownerless_condition(as_of))
        .values_list("pk", "production_owner__username", "owner_confirmed_at")
    )
    return {
        pk: {
            "owner": owner,
            "last_confirmed": confirmed.isoformat() if confirmed else None,
            "days_since_confirmation": days_between(as_of, confirmed),
            "limit_days": limit,
            "reason": stale_ownership_reason(days_between(as_of, confirmed), limit),
        }
        for pk, owner, confirmed in rows
    }


def stale_ownership_reason(days: int | None, limit: int) -> str:
    if days is None:
        return f"ownership never confirmed (limit {limit} days)"
    return f"last confirmed {days} days ago (limit {limit} days)"


@rule(FlagKind.BUSINESS_CASE_MISSING)
def business_case_missing(as_of: datetime) -> dict[int, dict]:
    """In pilot or production without an approved business case."""
    approved = BusinessCase.objects.filter(
        initiative=OuterRef("pk"), status=BusinessCaseStatus.APPROVED, reviewed_at__lte=as_of
    )
    rows = (
        Initiative.objects.filter(stage__in=OWNED_STAGES)
        .exclude(Exists(approved))
        .values_list("pk", "stage")
    )
    return {pk: {"stage": stage, "reason": "no approved business case"} for pk, stage in rows}


@rule(FlagKind.UNCLASSIFIED)
def unclassified(as_of: datetime) -> dict[int, dict]:
    """Past POC (pilot or production) without an EU AI Act classification confirmed by
    `as_of` (README "Regulation")."""
    rows = (
        Initiative.objects.filter(stage__in=OWNED_STAGES)
        .exclude(confirmed_exists(as_of))
        .values_list("pk", "stage")
    )
    return {
        pk: {
            "stage": stage,
            "reason": f"in {Stage(stage).label.lower()} without a confirmed EU AI Act "
            "classification",
        }
        for pk, stage in rows
    }


_health_memo: ContextVar[dict | None] = ContextVar("health_memo", default=None)


@contextmanager
def shared_health() -> Iterator[None]:
    """Within this block, the health rules (and the scan) compute production health once
    per moment rather than once per rule."""
    token = _health_memo.set({})
    try:
        yield
    finally:
        _health_memo.reset(token)


def production_health(as_of: datetime) -> list[tuple[Initiative, HealthState]]:
    """Every production system with its health: one query, whatever the portfolio's size."""
    memo = _health_memo.get()
    if memo is not None and as_of in memo:
        return memo[as_of]
    rows = with_health(Initiative.objects.filter(stage=Stage.PRODUCTION), as_of)
    result = [(initiative, state_of(initiative, as_of)) for initiative in rows]
    if memo is not None:
        memo[as_of] = result
    return result


@rule(FlagKind.HEALTH_SILENT)
def health_silent(as_of: datetime) -> dict[int, dict]:
    """A production system that has sent no health report within its silence limit."""
    return {
        i.pk: {"reason": state.reasons[0]}
        for i, state in production_health(as_of)
        if state.status == HealthStatus.SILENT
    }


@rule(FlagKind.HEALTH_DEGRADED)
def health_degraded(as_of: datetime) -> dict[int, dict]:
    """A production system whose latest metrics are past a degraded or failing threshold."""
    return {
        i.pk: {"status": state.status, "reason": "; ".join(state.reasons)}
        for i, state in production_health(as_of)
        if state.status in (HealthStatus.DEGRADED, HealthStatus.FAILING)
    }


@rule(FlagKind.EVAL_REGRESSION)
def eval_regression(as_of: datetime) -> dict[int, dict]:
    """The latest eval_score clearly below its recent baseline (see initiatives.health.status)."""
    return {
        i.pk: {
            "reason": f"evaluation score {state.latest['eval_score']:.3f} against a baseline "
            f"of {state.eval_baseline:.3f} (allowed drop {state.eval_allowed_drop:.3f})"
        }
        for i, state in production_health(as_of)
        if state.eval_regression
    }


@rule(FlagKind.VALUE_UNREPORTED)
def value_unreported(as_of: datetime) -> dict[int, dict]:
    """A quarter in production ended more than PORTAL_VALUE_REPORT_GRACE_DAYS ago with no value
    report (see `initiatives.value.selectors.unreported`)."""
    grace = settings.PORTAL_VALUE_REPORT_GRACE_DAYS
    return {
        pk: {
            "quarters": [q.label for q in quarters],
            "grace_days": grace,
            "reason": (
                f"no value report for {', '.join(q.label for q in quarters)} "
                f"({grace} days' grace after a quarter ends)"
            ),
        }
        for pk, quarters in value_selectors.unreported(as_of).items()
    }


@rule(FlagKind.VALUE_SHORTFALL)
def value_shortfall(as_of: datetime) -> dict[int, dict]:
    """Realised net benefit below PORTAL_VALUE_SHORTFALL_SHARE of plan in each of the last
    PORTAL_VALUE_SHORTFALL_QUARTERS reported, consecutive quarters."""
    share = settings.PORTAL_VALUE_SHORTFALL_SHARE
    found = {}
    for pk, rows in value_selectors.shortfalls(as_of).items():
        delivered = [
            f"{row.quarter.label} {row.this_quarter.net.share + 1:.0%}"
            if row.this_quarter.net.share is not None
            else row.quarter.label
            for row in rows
        ]
        found[pk] = {
            "quarters": [row.quarter.label for row in rows],
            "share": str(share),
            "reason": (
                f"realised net benefit below {share:.0%} of plan in {len(rows)} consecutive "
                f"quarters ({', '.join(delivered)} of plan)"
            ),
        }
    return found


@rule(FlagKind.REGULATORY_GAP)
def regulatory_gap(as_of: datetime) -> dict[int, dict]:
    """A production system with an EU AI Act obligation that applies by `as_of`'s day (in the
    portal's time zone) and is neither done nor waived (README "Regulation")."""
    today = timezone.localtime(as_of).date()
    satisfied = MilestoneRecord.objects.filter(
        initiative=OuterRef("initiative"),
        milestone=OuterRef("milestone"),
        status__in=[MilestoneStatus.DONE, MilestoneStatus.WAIVED],
    )
    rows = (
        ApplicableObligation.objects.filter(
            initiative__stage=Stage.PRODUCTION,
            milestone__active=True,
            application_date__applies_from__lte=today,
        )
        .exclude(Exists(satisfied))
        .order_by("initiative", "application_date__applies_from", "milestone__order", "pk")
        .values_list(
            "initiative", "milestone__obligation__article", "application_date__applies_from"
        )
    )
    counts: dict[int, int] = {}
    earliest: dict[int, tuple[str, date]] = {}
    for pk, article, applies_from in rows:  # earliest first, per initiative
        counts[pk] = counts.get(pk, 0) + 1
        earliest.setdefault(pk, (article, applies_from))
    return {
        pk: {
            "outstanding": n,
            "earliest": earliest[pk][0],
            "since": earliest[pk][1].isoformat(),
            "reason": regulatory_gap_reason(n, *earliest[pk]),
        }
        for pk, n in counts.items()
    }


def regulatory_gap_reason(outstanding: int, earliest: str, since: date) -> str:
    plural = "" if outstanding == 1 else "s"
    obligations = f"{outstanding} EU AI Act obligation{plural}"
    return (
        f"{obligations} in force but neither done nor waived, the earliest {earliest} "
        f"(applies from {day(since)})"
    )
