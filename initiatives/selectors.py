"""Reads: querysets with their joins done, so no page or endpoint issues N+1 queries."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone
from django.utils.formats import date_format

from .choices import FlagKind, RiskTier, Stage
from .events import render_events
from .models import (
    BusinessCase,
    Flag,
    Initiative,
    InitiativeEvent,
    OwnershipHandover,
    PromotionRequest,
    ScanRun,
    StageTransition,
)
from .people import display_name

User = get_user_model()

HISTORY_LIMIT = 50


def initiative_list() -> QuerySet[Initiative]:
    """Initiatives with what a list row shows (unit, sponsor, owner, team) joined in."""
    return Initiative.objects.select_related(
        "business_unit", "sponsor", "production_owner", "owning_team", "backup_owner"
    )


def initiative_detail() -> QuerySet[Initiative]:
    """One initiative with everything its page shows, in a constant number of queries."""
    return initiative_list().prefetch_related(
        "links",
        Prefetch("team_members", queryset=User.objects.order_by("username")),
        Prefetch(
            "handovers",
            queryset=OwnershipHandover.objects.select_related(
                "from_owner", "to_owner", "requested_by", "owning_team"
            ),
        ),
        Prefetch("transitions", queryset=StageTransition.objects.select_related("actor")),
        Prefetch("flags", queryset=Flag.objects.filter(resolved_at__isnull=True)),
        Prefetch(
            "promotion_requests",
            queryset=PromotionRequest.objects.select_related("requested_by", "reviewed_by"),
        ),
    )


def initiative_events(initiative: Initiative, limit: int = HISTORY_LIMIT) -> list[InitiativeEvent]:
    """The newest events, each with its sentence rendered with today's names (one query for
    the people they name, one for the milestones, whatever their number)."""
    return render_events(initiative.events.select_related("actor")[:limit])


@dataclass(frozen=True)
class FieldChange:
    field: str
    old: str
    new: str


@dataclass(frozen=True)
class HistoryEntry:
    at: datetime
    user: str
    kind: str
    reason: str
    changes: list[FieldChange]


def _display(value) -> str:
    return "—" if value in (None, "") else str(value)


def initiative_history(initiative: Initiative, limit: int = HISTORY_LIMIT) -> list[HistoryEntry]:
    """Field-level history, newest first: who changed what from what, at most `limit` entries.

    Foreign keys are shown by name, resolved in one query per related model.
    """
    records = list(initiative.history.select_related("history_user")[: limit + 1])
    fk_fields = {
        f.attname: f
        for f in Initiative._meta.concrete_fields
        if f.is_relation and f.attname != "id"
    }
    # Resolve every referenced FK value once per model.
    wanted: dict = {}
    for record in records:
        for attname, field in fk_fields.items():
            value = getattr(record, attname)
            if value is not None:
                wanted.setdefault(field.related_model, set()).add(value)
    names = {
        model: {
            obj.pk: display_name(obj) if model is User else str(obj)
            for obj in model._default_manager.filter(pk__in=pks)
        }
        for model, pks in wanted.items()
    }
    labels = {f.attname: f.verbose_name for f in Initiative._meta.concrete_fields}
    choices = {"stage": dict(Stage.choices), "risk_tier": dict(RiskTier.choices)}

    def shown(attname: str, value) -> str:
        field = fk_fields.get(attname)
        if field is not None and value is not None:
            return names[field.related_model].get(value, f"#{value}")
        if attname in choices and value in choices[attname]:
            return str(choices[attname][value])
        if isinstance(value, datetime):
            return date_format(timezone.localtime(value), "j M Y H:i")
        if isinstance(value, date):
            return date_format(value, "j M Y")
        return _display(value)

    entries = []
    for newer, older in zip(records, [*records[1:], None], strict=True):
        if len(entries) == limit:
            break
        changes = []
        if older is not None:
            delta = newer.diff_against(older)
            for change in delta.changes:
                attname = Initiative._meta.get_field(change.field).attname
                changes.append(
                    FieldChange(
                        field=str(labels.get(attname, change.field)),
                        old=shown(attname, getattr(older, attname)),
                        new=shown(attname, getattr(newer, attname)),
                    )
                )
        entries.append(
            HistoryEntry(
                at=newer.history_date,
                user=display_name(newer.history_user),
                kind={"+": "created", "~": "changed", "-": "deleted"}[newer.history_type],
                reason=newer.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def stage_counts() -> dict[str, int]:
    counts = dict(
        Initiative.objects.values_list("stage").annotate(n=Count("pk")).values_list("stage", "n")
    )
    return {stage: counts.get(stage, 0) for stage in Stage.values}


def open_flag_counts() -> list[tuple[str, str, int]]:
    """(label, kind, count) of open flags for every kind, zeros included, in one query."""
    counts = dict(
        Flag.objects.filter(resolved_at__isnull=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    return [(kind.label, kind.value, counts.get(kind.value, 0)) for kind in FlagKind]


def business_cases() -> QuerySet[BusinessCase]:
    """Business-case versions, newest first, with who wrote, submitted and reviewed them."""
    return BusinessCase.objects.select_related(
        "created_by", "submitted_by", "reviewed_by", "initiative"
    ).order_by("-version")


@dataclass(frozen=True)
class ComparedFigure:
    field: str
    label: str
    old: object
    new: object
    delta: object  # new - old for numbers; None when not comparable
    kind: str = "number"  # money, percent, number, text, date

    @property
    def changed(self) -> bool:
        return self.old != self.new


def business_case_comparison(older: BusinessCase, newer: BusinessCase) -> list[ComparedFigure]:
    """Every input and derived figure of two versions, side by side, with the difference."""
    from .services.business_cases import INPUT_FIELDS

    same_currency = older.currency == newer.currency
    rows = []
    for name in INPUT_FIELDS:
        field = BusinessCase._meta.get_field(name)
        kind = _kind(name, field)
        label = str(field.verbose_name)
        if name.endswith("rationale"):
            label = f"why ({name.removesuffix('_rationale').replace('_', ' ')})"
        rows.append(
            _compare(name, label, getattr(older, name), getattr(newer, name), kind, same_currency)
        )
    old_figures, new_figures = older.figures.as_dict(), newer.figures.as_dict()
    labels = {"roi_3y": "three-year ROI", "payback_months": "payback (months)"}
    for name, old in old_figures.items():
        kind = "percent" if name == "roi_3y" else "number" if name == "payback_months" else "money"
        rows.append(
            _compare(
                name,
                labels.get(name, name.replace("_", " ")),
                old,
                new_figures[name],
                kind,
                same_currency,
            )
        )
    return rows


def _kind(name: str, field) -> str:
    if name == "currency" or name.endswith("rationale"):
        return "text"
    if name.endswith("_date"):
        return "date"
    if name in ("capacity_hours", "team_fte"):
        return "number"
    return "money"


def _compare(name, label, old, new, kind, same_currency) -> ComparedFigure:
    numeric = isinstance(old, Decimal) and isinstance(new, Decimal)
    # Amounts in two currencies are not subtracted: the difference would mean nothing.
    comparable = numeric and (same_currency or kind not in ("money",))
    return ComparedFigure(name, label, old, new, new - old if comparable else None, kind)


def business_case_summary(initiative: Initiative) -> dict:
    """The latest version and the current (latest approved) one, in one query."""
    recent = list(business_cases().filter(initiative=initiative)[:20])
    approved = (c for c in recent if c.status == "approved")
    return {"latest_case": recent[0] if recent else None, "current_case": next(approved, None)}


# --- The scan's own freshness (issue 9) -----------------------------------------------------


def last_finished_scan() -> ScanRun | None:
    """The scan that finished most recently (by when it finished, not when it started: two
    scans can overlap); None if none ever has. One query. The dashboards, the API, the
    metrics and `check_portal` all read this one."""
    return ScanRun.objects.filter(finished_at__isnull=False).order_by("-finished_at", "-id").first()


def last_scan_finished_at() -> datetime | None:
    """When the most recent scan finished; None if none ever has. One query."""
    last = last_finished_scan()
    return last.finished_at if last else None


def scan_is_overdue(finished_at: datetime | None, now: datetime | None = None) -> bool:
    """The rule: no scan finished within two scan intervals (PORTAL_SCAN_INTERVAL_SECONDS)
    before `now` means beat is not running, or no worker takes its tasks. A portal where no
    scan ever finished is overdue too."""
    now = now or timezone.now()
    allowed = timedelta(seconds=2 * settings.PORTAL_SCAN_INTERVAL_SECONDS)
    return finished_at is None or now - finished_at > allowed


def scan_overdue(now: datetime | None = None) -> bool:
    """Whether the last scan is overdue (see `scan_is_overdue`). One query."""
    return scan_is_overdue(last_scan_finished_at(), now)


# What an API list row reads: its own columns and the names of the people and units shown.
API_LIST_COLUMNS = (
    "slug",
    "name",
    "summary",
    "business_unit__name",
    "risk_tier",
    "stage",
    "stage_entered_at",
    "target_production_date",
    "owner_accepted_at",
    "owner_confirmed_at",
    "owning_team__name",
    "health_status",
    "created_at",
    "updated_at",
    *(
        f"{person}__{field}"
        for person in ("sponsor", "production_owner", "backup_owner")
        for field in ("username", "first_name", "last_name")
    ),
)


def initiative_api_list() -> QuerySet[Initiative]:
    """`initiative_list()` reading only the columns an API list row shows: ten thousand
    initiatives page by page, without each row's people's password hashes and the rest."""
    return initiative_list().only(*API_LIST_COLUMNS)
