from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Case,
    Count,
    DecimalField,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Round

from initiatives.business_cases.models import BusinessCase
from initiatives.core.choices import BusinessCaseStatus
from initiatives.portfolio.models import Initiative


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
    from initiatives.business_cases.services import INPUT_FIELDS

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


def current_cases(initiative_ids) -> dict[int, BusinessCase]:
    """Each initiative's current business case, by initiative id: its latest approved
    version, else its latest version of any status. One query for any number of initiatives;
    an initiative without a case is absent."""
    choice = (
        BusinessCase.objects.filter(initiative=OuterRef("initiative"))
        .annotate(
            approved_first=Case(
                When(status=BusinessCaseStatus.APPROVED, then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            )
        )
        .order_by("approved_first", "-version")
        .values("pk")[:1]
    )
    cases = BusinessCase.objects.filter(initiative_id__in=initiative_ids, pk=Subquery(choice))
    return {case.initiative_id: case for case in cases}


# The versions that make a plan: the approved one, else one submitted and not refused.
PLANNING_STATUSES = (
    BusinessCaseStatus.APPROVED,
    BusinessCaseStatus.SUBMITTED,
    BusinessCaseStatus.CHANGES_REQUESTED,
)


def net_annual_benefit_sql() -> ExpressionWrapper:
    """`figures.derive`'s net annual benefit in SQL, rounded to the cent as it rounds it
    (PostgreSQL rounds numeric halves away from zero, as ROUND_HALF_UP does)."""
    benefit = (
        F("revenue_protected")
        + F("costs_reduced")
        + F("capacity_hours") * F("hourly_rate")
        + F("risk_mitigated")
    )
    run_cost = (
        F("infrastructure_cost") + F("team_fte") * F("cost_per_fte") + F("operational_overhead")
    )
    return ExpressionWrapper(
        Round(benefit - run_cost, precision=2),
        output_field=DecimalField(max_digits=20, decimal_places=2),
    )


def planned_cases(initiatives: QuerySet[Initiative]) -> QuerySet[BusinessCase]:
    """The plan of each of `initiatives` that has one: its latest approved business case,
    else its latest version submitted for review and not rejected (awaiting a decision, or
    sent back for changes). Annotated with `planned_net` (the net annual benefit, in the
    case's currency) and `approved`. Set-based: one query, whatever it is then filtered,
    grouped or sliced by."""
    # Each initiative's chosen case, by the (initiative) index: portable, where DISTINCT ON
    # is PostgreSQL's alone (the demo runs on SQLite).
    chosen = (
        BusinessCase.objects.filter(
            initiative_id=OuterRef("initiative_id"), status__in=PLANNING_STATUSES
        )
        .order_by(
            Case(When(status=BusinessCaseStatus.APPROVED, then=Value(0)), default=Value(1)),
            "-version",
        )
        .values("pk")[:1]
    )
    return BusinessCase.objects.filter(
        initiative__in=initiatives, status__in=PLANNING_STATUSES, pk=Subquery(chosen)
    ).annotate(
        planned_net=net_annual_benefit_sql(),
        approved=Case(
            When(status=BusinessCaseStatus.APPROVED, then=Value(True)),
            default=Value(False),
        ),
    )


def planned_totals(cases: QuerySet[BusinessCase]) -> list[dict]:
    """`planned_cases` totalled per currency (code order): `currency`, `amount` (the sum of
    their net annual benefits), `count`, and how many of them are `approved`. One query."""
    return list(
        cases.order_by()
        .values("currency")
        .annotate(
            amount=Sum("planned_net"),
            count=Count("pk"),
            approved_count=Count("pk", filter=Q(status=BusinessCaseStatus.APPROVED)),
        )
        .order_by("currency")
    )
