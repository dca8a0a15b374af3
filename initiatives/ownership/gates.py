"""Ownership's stage gates and the promotion approval. Each unmet condition links to where
the team meets it: naming an owner, the pending handover, or the promotion request."""

from django.urls import reverse

from initiatives.core.choices import PromotionStatus, Stage
from initiatives.core.people import display_name
from initiatives.portfolio.gates import OWNERSHIP, PROMOTION, Unmet, gate
from initiatives.portfolio.models import Initiative


@gate(Stage.PRODUCTION)
def owner_accepted(initiative: Initiative) -> list[Unmet]:
    if initiative.production_owner_id is None:
        return [
            Unmet(
                domain=OWNERSHIP,
                message="Name a production owner, who must accept the handover.",
                title="Name a production owner (they must accept the handover)",
                fix_url=reverse("initiative-handover", args=[initiative.slug]),
            )
        ]
    if initiative.owner_accepted_at is None:
        # Only the named owner may answer; the team follows the handover on the initiative.
        return [
            Unmet(
                domain=OWNERSHIP,
                message="The production owner has not accepted the handover yet.",
                title=f"{display_name(initiative.production_owner)} has not accepted the "
                "handover yet",
                fix_url=initiative.get_absolute_url() + "#ownership",
            )
        ]
    return []


@gate(Stage.PRODUCTION)
def owner_active(initiative: Initiative) -> list[Unmet]:
    owner = initiative.production_owner
    if owner is not None and not owner.is_active:
        return [
            Unmet(
                domain=OWNERSHIP,
                message="The production owner's account is deactivated; name a new owner.",
                title=f"{display_name(owner)}'s account is deactivated: name a new owner",
                fix_url=reverse("initiative-handover", args=[initiative.slug]),
            )
        ]
    return []


@gate(Stage.PRODUCTION)
def promotion_approved(initiative: Initiative) -> list[Unmet]:
    requests = initiative.promotion_requests.filter(requested_at__gte=initiative.stage_entered_at)
    if requests.filter(status=PromotionStatus.APPROVED).exists():
        return []
    message = "A governance reviewer has not approved the promotion to production."
    if initiative.promotion_requests.filter(status=PromotionStatus.PENDING).exists():
        # Governance decides it; the team sees the request on the initiative's page.
        return [
            Unmet(
                domain=PROMOTION,
                message=message,
                title="The promotion request awaits a governance reviewer's decision",
                fix_url=initiative.get_absolute_url() + "#promotion",
            )
        ]
    return [
        Unmet(
            domain=PROMOTION,
            message=message,
            title="Request the promotion to production",
            fix_url=reverse("initiative-promotion", args=[initiative.slug]),
        )
    ]
