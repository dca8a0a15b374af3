"""Reads behind the dashboards (README "Dashboards"): my work, the governance queue and the
scan's state (the portfolio summary's numbers are in `summary.py`).

Every function here issues a fixed number of queries, whatever the size of the portfolio:
counts are conditional aggregates, medians are read with an offset on an index, and lists
are capped (each with a link to the full, filtered initiative list).
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.urls import reverse
from django.utils import timezone

from initiatives.business_cases.models import BusinessCase
from initiatives.core import permissions
from initiatives.core.choices import (
    OWNED_STAGES,
    BusinessCaseStatus,
    FlagKind,
    HandoverStatus,
    PromotionStatus,
    Stage,
)
from initiatives.dashboards import standings
from initiatives.dashboards.standings import UNHEALTHY_ORDER
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import MilestoneRecord
from initiatives.regulation.selectors import awaiting_confirmation
from initiatives.watch.models import Flag, ScanRun
from initiatives.watch.selectors import (
    last_finished_scan,
    open_flag_count,
    scan_is_overdue,
)

# How many rows a dashboard list shows before it points to the full list.
LIST_LIMIT = 50


def list_url(**params) -> str:
    """The initiative list filtered by `params` (empty values left out)."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")}, doseq=True)
    url = reverse("initiative-list")
    return f"{url}?{query}" if query else url


@dataclass(frozen=True)
class MyWork:
    owned: list[Initiative]
    owned_total: int
    to_confirm: list[Initiative]
    to_accept: list[OwnershipHandover]
    cases_to_review: list[BusinessCase] | None
    promotions_to_review: list[PromotionRequest] | None
    my_drafts: list[BusinessCase]
    returned: list[BusinessCase]
    flags_on_mine: list[Flag]
    confirmation_days: int
    owned_url: str


def _confirmation_due(as_of: datetime) -> datetime:
    """Owners whose last confirmation is older than this are asked to confirm now: the
    limit less the reminder window, so they can act before the flag is raised."""
    limit = settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS
    return as_of - timedelta(days=limit - settings.PORTAL_CONFIRMATION_REMINDER_DAYS)


def my_work(user, *, as_of: datetime | None = None) -> MyWork:
    """What `user` owns, must confirm, must accept, must revise (business cases returned for
    changes) and must review. A fixed number of queries; each list is capped at LIST_LIMIT."""
    as_of = as_of or timezone.now()
    owned = (
        Initiative.objects.filter(Q(production_owner=user) | Q(backup_owner=user))
        .select_related("business_unit", "production_owner", "backup_owner")
        .annotate(
            open_flags=open_flag_count(),
        )
        .order_by("stage_entered_at", "pk")
    )
    to_confirm = (
        Initiative.objects.filter(
            production_owner=user,
            owner_accepted_at__isnull=False,
            stage__in=(Stage.PILOT, Stage.PRODUCTION),
        )
        .filter(
            Q(owner_confirmed_at__isnull=True) | Q(owner_confirmed_at__lt=_confirmation_due(as_of))
        )
        .select_related("business_unit")
        .order_by("owner_confirmed_at", "pk")
    )
    governance = permissions.is_governance(user)
    cases = promotions = None
    if governance:
        # Only what `user` may decide: not their own work (separation of duties).
        cases = list(
            cases_awaiting_review().exclude(permissions.case_authored_by(user))[:LIST_LIMIT]
        )
        promotions = list(
            promotions_awaiting_review().exclude(permissions.promotions_in_conflict(user))[
                :LIST_LIMIT
            ]
        )
    mine = Q(initiative__production_owner=user) | Q(initiative__backup_owner=user)
    return MyWork(
        owned=list(owned[:LIST_LIMIT]),
        owned_total=owned.count(),
        to_confirm=list(to_confirm[:LIST_LIMIT]),
        to_accept=list(handovers_waiting(user)),
        cases_to_review=cases,
        promotions_to_review=promotions,
        my_drafts=list(
            BusinessCase.objects.filter(created_by=user, status=BusinessCaseStatus.DRAFT)
            .select_related("initiative")
            .order_by("-updated_at")[:LIST_LIMIT]
        ),
        returned=list(cases_returned_to(user)[:LIST_LIMIT]),
        flags_on_mine=list(
            Flag.objects.filter(mine, resolved_at__isnull=True)
            .select_related("initiative")
            .order_by("opened_at", "pk")[:LIST_LIMIT]
        ),
        confirmation_days=settings.PORTAL_OWNERSHIP_CONFIRMATION_DAYS,
        owned_url=list_url(owned_by=user.get_username()),
    )


def cases_returned_to(user) -> QuerySet[BusinessCase]:
    """Business-case versions returned for changes that `user` wrote or whose initiative's
    team they are on, still the latest version (once revised, the new draft is the work),
    the most recently returned first."""
    newer = BusinessCase.objects.filter(
        initiative=OuterRef("initiative"), version__gt=OuterRef("version")
    )
    team = Initiative.objects.filter(permissions.team_filter(user)).values("pk")
    return (
        BusinessCase.objects.filter(status=BusinessCaseStatus.CHANGES_REQUESTED)
        .filter(permissions.case_authored_by(user) | Q(initiative__in=team))
        .exclude(Exists(newer))
        .select_related("initiative", "reviewed_by")
        .order_by("-reviewed_at", "-pk")
    )


def handovers_waiting(user) -> QuerySet[OwnershipHandover]:
    """Handovers naming `user` as the new owner, waiting for their answer."""
    return (
        OwnershipHandover.objects.filter(to_owner=user, status=HandoverStatus.PENDING)
        .select_related("initiative", "requested_by")
        .order_by("requested_at", "pk")
    )


def cases_awaiting_review() -> QuerySet[BusinessCase]:
    """Submitted business-case versions, the longest-waiting first."""
    return (
        BusinessCase.objects.filter(status=BusinessCaseStatus.SUBMITTED)
        .select_related("initiative", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def promotions_awaiting_review() -> QuerySet[PromotionRequest]:
    return (
        PromotionRequest.objects.filter(status=PromotionStatus.PENDING)
        .select_related("initiative", "requested_by")
        .order_by("requested_at", "pk")
    )


def waiver_requests() -> QuerySet[MilestoneRecord]:
    """Milestones whose team asked for a waiver that governance has not answered."""
    return (
        # A retired milestone's request has nothing left to decide.
        MilestoneRecord.objects.filter(
            waiver_requested_at__isnull=False,
            waiver_decided_at__isnull=True,
            milestone__active=True,
        )
        .select_related("initiative", "milestone", "waiver_requested_by")
        .order_by("waiver_requested_at", "pk")
    )


# The list's filters whose rows are exactly one of the dashboards' counts (README "Dashboards
# at volume"), each with the key that counts them.
COUNTED_FILTERS = {
    "stage": lambda values: f"stage:{values[0]}" if len(values) == 1 else None,
    "flag": lambda kind: f"flag:{kind}",
    "attention": lambda wanted: "attention" if wanted else None,
    "reached": lambda stage: f"reached:{stage}",
    "eu_ai_act": lambda category: f"eu_ai_act:{category}",
}


def counted_length(filters: dict) -> int | None:
    """How many initiatives the list filtered by `filters` (its filter form's cleaned data)
    holds, from the dashboards' counters (one query), when it is filtered by nothing, or by
    one of `COUNTED_FILTERS`, each with or without one business unit; None when the rows
    must be counted. PostgreSQL only: SQLite recounts anyway."""
    if connection.vendor != "postgresql":
        return None
    active = {
        name: value
        for name, value in filters.items()
        if name != "ordering" and value not in (None, "", [], ())
    }
    unit = active.pop("business_unit", None)
    if not active:
        key = "total"
    elif len(active) == 1 and next(iter(active)) in COUNTED_FILTERS:
        name, value = active.popitem()
        key = COUNTED_FILTERS[name](value)
    else:
        key = None
    if key is None:
        return None
    return standings.counts(unit.pk if unit else None)[key]


@dataclass(frozen=True)
class QueueList:
    items: list
    total: int
    url: str | None = None


@dataclass(frozen=True)
class GovernanceQueue:
    cases: QueueList
    promotions: QueueList
    waivers: QueueList
    ownerless: QueueList
    stale: QueueList
    stalled: QueueList
    case_missing: QueueList
    regressions: QueueList
    unhealthy: QueueList
    value_unreported: QueueList
    value_shortfall: QueueList
    classifications: QueueList
    unclassified: QueueList
    regulatory_gap: QueueList


def _capped(queryset: QuerySet, url: str | None = None, total: int | None = None) -> QueueList:
    items = list(queryset[:LIST_LIMIT])
    if total is None:
        total = len(items) if len(items) < LIST_LIMIT else queryset.count()
    return QueueList(items=items, total=total, url=url)


def _flagged(kind: str, *urgency) -> QuerySet[Flag]:
    """Open flags of `kind`, the most urgent first: by `urgency`, then the longest open."""
    return (
        Flag.objects.filter(resolved_at__isnull=True, kind=kind)
        .select_related("initiative__production_owner", "initiative__business_unit")
        .order_by(*urgency, "opened_at", "pk")
    )


def unhealthy_systems() -> QuerySet[Initiative]:
    """Production systems failing, silent or degraded (the stored status the portfolio
    counts), failing first, then silent, then degraded (`standings.UNHEALTHY_ORDER`);
    within each the longest flagged first, then by name. `flagged_since`: when the scan
    raised its open health flag (None if not yet). On PostgreSQL read in that order through
    the counters' index (`Standing.health_rank`), so the first rows cost the same at any
    size; elsewhere ranked from the flags (`ranked_unhealthy`)."""
    if connection.vendor != "postgresql":
        return ranked_unhealthy()
    return (
        Initiative.objects.filter(standing__health_rank__isnull=False)
        .select_related("production_owner", "business_unit")
        .annotate(urgency=F("standing__health_rank"), flagged_since=F("standing__health_since"))
        .order_by(
            "standing__health_rank",
            F("standing__health_since").asc(nulls_last=True),
            "standing__name",
            "standing__initiative",
        )
    )


def ranked_unhealthy() -> QuerySet[Initiative]:
    """`unhealthy_systems` ranked from the initiatives and their flags: a sort of every
    such system (SQLite's reading, and what the counters' order is tested against)."""
    health_flag = Flag.objects.filter(
        initiative=OuterRef("pk"),
        resolved_at__isnull=True,
        kind__in=[FlagKind.HEALTH_SILENT, FlagKind.HEALTH_DEGRADED],
    ).order_by("opened_at")
    return (
        Initiative.objects.filter(stage=Stage.PRODUCTION, health_status__in=UNHEALTHY_ORDER)
        .select_related("production_owner", "business_unit")
        .annotate(
            urgency=Case(
                *[When(health_status=s, then=Value(i)) for i, s in enumerate(UNHEALTHY_ORDER)],
                output_field=IntegerField(),
            ),
            flagged_since=Subquery(health_flag.values("opened_at")[:1]),
        )
        .order_by("urgency", F("flagged_since").asc(nulls_last=True), "name", "pk")
    )


def _decided_elsewhere(queryset: QuerySet, conflict: Q) -> QuerySet:
    """Mark each item `user` may not decide (their own work, their team's): the queue shows
    it, marked "yours: another reviewer decides", without a link to the decision."""
    return queryset.annotate(
        decided_elsewhere=ExpressionWrapper(conflict, output_field=BooleanField())
    )


def governance_queue(user) -> GovernanceQueue:
    """What waits on governance, the most urgent first: decisions by how long they have
    waited, stalled work by days in its stage, stale ownership by days since it was last
    confirmed, other flags by how long they have been open, production systems failing,
    then silent, then degraded. Every flag kind the portfolio counts has its list. At most
    two queries per list (the flags' totals are one query), whatever the size.
    Items `user` may not decide themselves are marked `decided_elsewhere`."""
    flag_totals = standings.counts()  # the dashboards' counters: one query

    def flagged(kind: str, *urgency) -> QueueList:
        return _capped(
            _flagged(kind, *urgency), list_url(flag=kind), total=flag_totals[f"flag:{kind}"]
        )

    return GovernanceQueue(
        cases=_capped(
            _decided_elsewhere(cases_awaiting_review(), permissions.case_authored_by(user))
        ),
        promotions=_capped(
            _decided_elsewhere(
                promotions_awaiting_review(), permissions.promotions_in_conflict(user)
            )
        ),
        waivers=_capped(
            _decided_elsewhere(waiver_requests(), permissions.waivers_in_conflict(user))
        ),
        ownerless=flagged(FlagKind.OWNERLESS),
        stale=_capped(
            # The rule's stages (a flag elsewhere is resolved by the next scan): read
            # through the index in this order.
            _flagged(
                FlagKind.STALE_OWNERSHIP, F("initiative__owner_confirmed_at").asc(nulls_first=True)
            ).filter(initiative__stage__in=OWNED_STAGES),
            list_url(flag=FlagKind.STALE_OWNERSHIP),
            total=flag_totals[f"flag:{FlagKind.STALE_OWNERSHIP}"],
        ),
        stalled=flagged(FlagKind.STALLED, "initiative__stage_entered_at"),
        case_missing=flagged(FlagKind.BUSINESS_CASE_MISSING),
        regressions=flagged(FlagKind.EVAL_REGRESSION),
        value_unreported=flagged(FlagKind.VALUE_UNREPORTED),
        value_shortfall=flagged(FlagKind.VALUE_SHORTFALL),
        unhealthy=_capped(
            unhealthy_systems(),
            list_url(stage=Stage.PRODUCTION, health=list(UNHEALTHY_ORDER)),
            total=sum(flag_totals[f"health:{status}"] for status in UNHEALTHY_ORDER),
        ),
        classifications=_capped(
            _decided_elsewhere(
                awaiting_confirmation(), permissions.classifications_in_conflict(user)
            )
        ),
        unclassified=flagged(FlagKind.UNCLASSIFIED),
        regulatory_gap=flagged(FlagKind.REGULATORY_GAP),
    )


@dataclass(frozen=True)
class ScanState:
    last: ScanRun | None
    interval_seconds: int
    overdue: bool


def scan_state(now: datetime | None = None) -> ScanState:
    """The last finished scan, and whether it is overdue (`watch.selectors.scan_is_overdue`: the
    beat or the worker is down). One query."""
    last = last_finished_scan()
    return ScanState(
        last=last,
        interval_seconds=settings.PORTAL_SCAN_INTERVAL_SECONDS,
        overdue=scan_is_overdue(last.finished_at if last else None, now),
    )
