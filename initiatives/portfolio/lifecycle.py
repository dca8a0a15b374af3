"""Where an initiative has been in the lifecycle: the funnel's stages and who reached them.

The stage order itself is `STAGE_ORDER` in `initiatives.core.choices`, beside `Stage`.
"""

from django.db.models import Q

from initiatives.core.choices import STAGE_ORDER, Stage
from initiatives.portfolio.models import StageTransition

# The stages whose conversion the funnel reports, in order.
FUNNEL = (Stage.POC, Stage.PILOT, Stage.PRODUCTION)
# The stages of the valley of death: where initiatives stall.
VALLEY = (Stage.POC, Stage.PILOT)


def reached_condition(stage: str) -> Q:
    """Initiatives that have ever entered `stage`: they are in it or past it in the forward
    order, or a recorded transition went into or out of it (cancelled or moved back since)."""
    later = STAGE_ORDER[STAGE_ORDER.index(stage) :]
    # An uncorrelated IN: PostgreSQL hashes it once, rather than probing per initiative.
    entered = StageTransition.objects.filter(Q(to_stage=stage) | Q(from_stage=stage)).values(
        "initiative_id"
    )
    return Q(stage__in=later) | Q(pk__in=entered)
