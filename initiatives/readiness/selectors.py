"""Readiness reads other domains may use (the decision pages show it as evidence)."""

from initiatives.portfolio.models import Initiative
from initiatives.readiness.scoring import Readiness, checklist


def readiness_of(initiative: Initiative, target: str | None = None) -> Readiness | None:
    """The initiative's checklist scored against `target` (default: its next stage), with
    the missing milestones by name; None when no readiness template is set up. Two queries
    (three when the initiative names its own template and it is not loaded)."""
    return checklist(initiative, target)
