"""The classification's stage gate: a confirmed prohibited practice (Art. 5) keeps the
initiative at `idea` (README "Regulation")."""

from django.urls import reverse

from initiatives.core.choices import RegulatoryCategory, Stage
from initiatives.portfolio.gates import Unmet, gate
from initiatives.portfolio.models import Initiative
from initiatives.regulation.selectors import current_classification

REGULATION = "Regulation"


@gate(Stage.POC, Stage.PILOT, Stage.PRODUCTION)
def not_prohibited(initiative: Initiative) -> list[Unmet]:
    current = current_classification(initiative)
    if current is None or current.category != RegulatoryCategory.PROHIBITED:
        return []
    articles = ", ".join(a for a, _ in current.reasons if a.startswith("Art. 5"))
    return [
        Unmet(
            domain=REGULATION,
            message=(
                f"The confirmed EU AI Act classification (version {current.version}) found a "
                f"prohibited practice ({articles}): the initiative cannot move past idea."
            ),
            title=f"A prohibited practice ({articles}): see the classification",
            fix_url=reverse("classification", args=[initiative.slug]),
        )
    ]
