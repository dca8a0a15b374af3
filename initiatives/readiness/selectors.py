"""Reads of readiness for other domains: one initiative's checklist (the decision pages show
it as evidence) and readiness across many initiatives (README "Readiness").

`readiness_by_domain` is the portfolio's scorecard: for each initiative, per domain, how many
of the milestones its next stage requires are done or waived. It is counted in SQL, the
same rule as `scoring.checklist` (one initiative, in Python), never by loading milestones:
the template's milestones and the EU AI Act obligations that apply to each initiative.
"""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import (
    Count,
    Exists,
    F,
    FilteredRelation,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce

from initiatives.core.choices import Stage
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import (
    ApplicableObligation,
    MilestoneRecord,
    ReadinessMilestone,
    ReadinessTemplate,
)
from initiatives.readiness.scoring import (
    SATISFIED,
    Readiness,
    checklist,
    is_required,
    readiness_target,
)

# The stages readiness is measured in (`scoring.readiness_target` names a next stage).
MEASURED_STAGES = [s for s in Stage.values if readiness_target(s)]
REQUIRED_FOR = (Stage.PILOT, Stage.PRODUCTION)


@dataclass(frozen=True)
class Cell:
    domain: str
    required: int
    satisfied: int

    @property
    def share(self) -> Decimal | None:
        """Done or waived over required; None when the next stage requires nothing here."""
        if not self.required:
            return None
        return (Decimal(self.satisfied) / Decimal(self.required)).quantize(Decimal("0.001"))

    @property
    def band(self) -> str:
        """A colour band for the heat map (the number is always shown beside it)."""
        share = self.share
        if share is None:
            return "none"
        if share == 1:
            return "done"
        return "half" if share >= Decimal("0.5") else "low"


@dataclass(frozen=True)
class ReadinessRow:
    initiative: Initiative
    target: str
    cells: list[Cell]
    total: Cell


def readiness_initiatives(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """`initiatives` in a stage readiness is measured in, each annotated with the template it
    follows (`template_pk`: its own, or the default), in name order. Lazy: page it."""
    default = ReadinessTemplate.objects.filter(is_default=True).values("pk")[:1]
    return (
        initiatives.filter(stage__in=MEASURED_STAGES)
        .annotate(template_pk=Coalesce(F("readiness_template"), Subquery(default)))
        .select_related("business_unit")
        .order_by("name", "pk")
    )


def readiness_by_domain(page: list[Initiative]) -> tuple[list[str], list[ReadinessRow]]:
    """The domains (in template order) and, for each initiative of `page` (from
    `readiness_initiatives`), per domain, the milestones its next stage requires and how many
    are done or waived. Two aggregate queries, whatever the number of milestones."""
    templates = {i.template_pk for i in page} - {None}
    if not templates:
        return [], [ReadinessRow(i, "", [], Cell("Total", 0, 0)) for i in page]
    pks = [i.pk for i in page]
    # Required milestones per (template, domain, required for): a handful of rows; and the
    # EU AI Act obligations that apply, per (initiative, domain, required for).
    required: dict[tuple[int, str, str], int] = {}
    obligations: dict[tuple[int, str, str], int] = {}
    first: dict[str, int] = {}
    for template, initiative, domain, required_for, n, order in (
        ReadinessMilestone.objects.annotate(
            applicable=FilteredRelation(
                "applicable_obligations", condition=Q(applicable_obligations__initiative__in=pks)
            )
        )
        .filter(Q(template__in=templates) | Q(applicable__isnull=False), active=True)
        .values_list("template", "applicable__initiative", "domain", "required_for")
        .annotate(n=Count("pk"), first=Min("order"))
        .order_by()
    ):
        if initiative is None:
            required[template, domain, required_for] = n
        else:
            obligations[initiative, domain, required_for] = n
        first[domain] = min(order, first.get(domain, order))
    domains = sorted(first, key=lambda d: (first[d], d))
    # Done or waived per (initiative, domain, required for), on the initiative's template or
    # an obligation that applies to it.
    satisfied: dict[tuple[int, str, str], int] = {}
    own_template = Q(milestone__template=F("initiative__readiness_template")) | Q(
        initiative__readiness_template__isnull=True, milestone__template__is_default=True
    )
    applicable = Exists(
        ApplicableObligation.objects.filter(
            initiative=OuterRef("initiative"), milestone=OuterRef("milestone")
        )
    )
    for initiative, domain, required_for, n in (
        MilestoneRecord.objects.filter(
            own_template | Q(applicable),
            initiative__in=pks,
            milestone__active=True,
            status__in=SATISFIED,
        )
        .values_list("initiative", "milestone__domain", "milestone__required_for")
        .annotate(n=Count("pk"))
        .order_by()
    ):
        satisfied[initiative, domain, required_for] = n

    rows = []
    for initiative in page:
        target = readiness_target(initiative.stage)
        kinds = [k for k in REQUIRED_FOR if is_required(k, target)]
        cells = [
            Cell(
                domain,
                sum(
                    required.get((initiative.template_pk, domain, k), 0)
                    + obligations.get((initiative.pk, domain, k), 0)
                    for k in kinds
                ),
                sum(satisfied.get((initiative.pk, domain, k), 0) for k in kinds),
            )
            for domain in domains
        ]
        total = Cell("Total", sum(c.required for c in cells), sum(c.satisfied for c in cells))
        rows.append(ReadinessRow(initiative, target, cells, total))
    return domains, rows


def readiness_of(initiative: Initiative, target: str | None = None) -> Readiness | None:
    """The initiative's checklist scored against `target` (default: its next stage), with
    the missing milestones by name; None when no readiness template is set up. Two queries
    (three when the initiative names its own template and it is not loaded)."""
    return checklist(initiative, target)
