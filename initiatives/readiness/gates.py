from initiatives.core.choices import Stage
from initiatives.portfolio.gates import gate
from initiatives.portfolio.models import Initiative
from initiatives.readiness.scoring import checklist


@gate(Stage.PRODUCTION)
def readiness_complete(initiative: Initiative) -> list[str]:
    """Every milestone production requires is done or waived; each missing one is named."""
    readiness = checklist(initiative, target=Stage.PRODUCTION)
    if readiness is None:
        return []
    return [
        f"Readiness milestone not done or waived: {item.milestone.domain} — {item.milestone.title}"
        for item in readiness.missing
    ]
