"""Readiness's stage gates: every milestone the template requires for the stage, done or
waived (pilot's milestones count for production too). The checklist's "Required for pilot"
label is this rule. Each missing milestone is its own condition, grouped under its readiness
domain and linked to the milestone's page, where the team records it or asks for a waiver.
The EU AI Act obligations that apply to an initiative are on its checklist, required for
production, so this gate holds until each is done or waived by governance."""

from django.urls import reverse

from initiatives.core import formats
from initiatives.core.choices import Stage
from initiatives.portfolio.gates import READINESS, Unmet, gate
from initiatives.portfolio.models import Initiative
from initiatives.readiness.scoring import ChecklistItem, checklist


def _cited(item: ChecklistItem) -> str:
    """A milestone's title; an obligation's with its article and the date it applies from."""
    if item.obligation is None:
        return item.milestone.title
    return (
        f"{item.obligation.article}: {item.milestone.title} "
        f"(applies from {formats.day(item.applies_from)})"
    )


def missing_milestones(initiative: Initiative, target: str) -> list[Unmet]:
    """Each milestone `target` requires that is neither done nor waived (two queries)."""
    readiness = checklist(initiative, target=target)
    if readiness is None:
        return []
    return [
        Unmet(
            domain=READINESS,
            message=f"Readiness milestone not done or waived: {item.milestone.domain} — "
            f"{_cited(item)}",
            title=_cited(item),
            group=item.milestone.domain,
            fix_url=reverse("milestone", args=[initiative.slug, item.milestone.key]),
        )
        for item in readiness.missing
    ]


@gate(Stage.PILOT)
def pilot_milestones_complete(initiative: Initiative) -> list[Unmet]:
    """Every milestone required for pilot is done or waived; each missing one is named."""
    return missing_milestones(initiative, Stage.PILOT)


@gate(Stage.PRODUCTION)
def readiness_complete(initiative: Initiative) -> list[Unmet]:
    """Every milestone production requires is done or waived; each missing one is named."""
    return missing_milestones(initiative, Stage.PRODUCTION)
