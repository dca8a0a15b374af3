"""Readiness scores (README "Readiness"): reads and pure arithmetic, no writes.

Readiness is the share of the milestones the *next* stage requires that are done or
waived, per domain and in total. A milestone required for pilot is required for production
too. Initiatives on the ML Test Score template also get the paper's score: half a point
for each test done by hand, one for each automated test, a section is the sum of its
tests, and the score is the lowest section.

An initiative's checklist is its template's active milestones and the EU AI Act obligations
that apply to it (README "Regulation"), each obligation with its article and the date from
which it applies: `checklist_milestones` is the one place that says so.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import F, FilteredRelation, Q, QuerySet

from initiatives.core.choices import CheckMode, MilestoneStatus, Scoring, Stage
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import (
    MilestoneRecord,
    Obligation,
    ReadinessMilestone,
    ReadinessTemplate,
)

SATISFIED = (MilestoneStatus.DONE, MilestoneStatus.WAIVED)

# The paper's reading of the final score, in our words: (lowest score, reading).
ML_TEST_SCORE_BANDS = (
    (Decimal(0), "More a research project than a production system."),
    (Decimal("0.5"), "Not untested, but expect serious gaps in reliability."),
    (Decimal("1.5"), "A first pass at production basics; more investment is likely needed."),
    (Decimal("2.5"), "Reasonably tested; more of the tests and procedures could be automated."),
    (Decimal("3.5"), "Strong automated testing and monitoring, fit for a mission-critical system."),
    (Decimal("5.5"), "Exceptional automated testing and monitoring."),
)


def readiness_target(stage: str) -> str | None:
    """The stage whose requirements readiness is measured against."""
    return {
        Stage.IDEA: Stage.PILOT,
        Stage.POC: Stage.PILOT,
        Stage.PILOT: Stage.PRODUCTION,
        Stage.PRODUCTION: Stage.PRODUCTION,
    }.get(stage)


def is_required(required_for: str, target: str | None) -> bool:
    if target == Stage.PRODUCTION:
        return required_for in (Stage.PILOT, Stage.PRODUCTION)
    return target == Stage.PILOT and required_for == Stage.PILOT


@dataclass
class ChecklistItem:
    milestone: ReadinessMilestone
    record: MilestoneRecord | None
    required: bool

    @property
    def obligation(self) -> Obligation | None:
        """The EU AI Act obligation this milestone is, if it is one (loaded with it)."""
        return getattr(self.milestone, "obligation", None)

    @property
    def applies_from(self) -> date | None:
        """For an obligation: the date from which the law applies it to this initiative."""
        return getattr(self.milestone, "applies_from", None)

    @property
    def status(self) -> str:
        return self.record.status if self.record else MilestoneStatus.NOT_STARTED

    @property
    def satisfied(self) -> bool:
        return self.status in SATISFIED


@dataclass
class Score:
    name: str
    required: int = 0
    satisfied: int = 0

    @property
    def share(self) -> Decimal | None:
        if not self.required:
            return None
        return (Decimal(self.satisfied) / Decimal(self.required)).quantize(Decimal("0.001"))


@dataclass
class MLTestScore:
    sections: dict[str, Decimal]
    final: Decimal
    reading: str


@dataclass
class Readiness:
    template: ReadinessTemplate
    target: str | None
    items: list[ChecklistItem]
    domains: list[Score] = field(default_factory=list)
    total: Score = field(default_factory=lambda: Score("Total"))
    ml_test_score: MLTestScore | None = None

    @property
    def missing(self) -> list[ChecklistItem]:
        return [i for i in self.items if i.required and not i.satisfied]


def score(items: list[ChecklistItem]) -> tuple[list[Score], Score]:
    """Per domain (in the order domains first appear) and in total."""
    domains: dict[str, Score] = {}
    total = Score("Total")
    for item in items:
        domain = domains.setdefault(item.milestone.domain, Score(item.milestone.domain))
        if item.required:
            domain.required += 1
            total.required += 1
            if item.satisfied:
                domain.satisfied += 1
                total.satisfied += 1
    return list(domains.values()), total


def ml_test_score(items: list[ChecklistItem]) -> MLTestScore:
    points = {
        CheckMode.MANUAL: Decimal("0.5"),
        CheckMode.AUTOMATED: Decimal(1),
    }
    sections: dict[str, Decimal] = {}
    for item in items:
        earned = Decimal(0)
        if item.status == MilestoneStatus.DONE:
            earned = points.get(item.record.check_mode or CheckMode.MANUAL, Decimal(0))
        sections[item.milestone.domain] = sections.get(item.milestone.domain, Decimal(0)) + earned
    final = min(sections.values(), default=Decimal(0))
    reading = next(text for floor, text in reversed(ML_TEST_SCORE_BANDS) if final >= floor)
    return MLTestScore(sections=sections, final=final, reading=reading)


def template_for(initiative: Initiative) -> ReadinessTemplate | None:
    if initiative.readiness_template_id:
        return initiative.readiness_template
    return ReadinessTemplate.objects.filter(is_default=True).first()


def checklist_milestones(
    initiative: Initiative, template: ReadinessTemplate
) -> QuerySet[ReadinessMilestone]:
    """The milestones on the initiative's checklist: the active ones of its template, then
    the active obligations that apply to it, each obligation loaded with its `obligation`
    (the article) and annotated with `applies_from`. One query."""
    return (
        ReadinessMilestone.objects.annotate(
            applicable=FilteredRelation(
                "applicable_obligations",
                condition=Q(applicable_obligations__initiative=initiative.pk),
            ),
            applies_from=F("applicable__application_date__applies_from"),
        )
        .filter(Q(template=template) | Q(applicable__isnull=False), active=True)
        .select_related("obligation")
        .order_by("order", "key")
    )


def checklist(initiative: Initiative, target: str | None = None) -> Readiness | None:
    """The initiative's checklist against `target` (default: its next stage): its template's
    milestones and its applicable obligations, with what it recorded. Two queries."""
    template = template_for(initiative)
    if template is None:
        return None
    target = target or readiness_target(initiative.stage)
    milestones = sorted(
        checklist_milestones(initiative, template), key=lambda m: m.template_id != template.pk
    )
    records = {
        r.milestone_id: r
        for r in MilestoneRecord.objects.filter(
            initiative=initiative, milestone__in=milestones
        ).select_related("updated_by", "waiver_requested_by", "waiver_decided_by")
    }
    items = [
        ChecklistItem(m, records.get(m.pk), is_required(m.required_for, target)) for m in milestones
    ]
    domains, total = score(items)
    result = Readiness(template=template, target=target, items=items, domains=domains, total=total)
    if template.scoring == Scoring.ML_TEST_SCORE:
        # The paper's score is over its own tests; the law's obligations are no section of it.
        result.ml_test_score = ml_test_score(
            [i for i in items if i.milestone.template_id == template.pk]
        )
    return result
