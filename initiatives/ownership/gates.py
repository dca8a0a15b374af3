from initiatives.core.choices import PromotionStatus, Stage
from initiatives.portfolio.gates import gate
from initiatives.portfolio.models import Initiative


@gate(Stage.PRODUCTION)
def owner_accepted(initiative: Initiative) -> list[str]:
    if initiative.production_owner_id is None:
        return ["Name a production owner, who must accept the handover."]
    if initiative.owner_accepted_at is None:
        return ["The production owner has not accepted the handover yet."]
    return []


@gate(Stage.PRODUCTION)
def owner_active(initiative: Initiative) -> list[str]:
    owner = initiative.production_owner
    if owner is not None and not owner.is_active:
        return ["The production owner's account is deactivated; name a new owner."]
    return []


@gate(Stage.PRODUCTION)
def promotion_approved(initiative: Initiative) -> list[str]:
    approved = initiative.promotion_requests.filter(
        status=PromotionStatus.APPROVED, requested_at__gte=initiative.stage_entered_at
    ).exists()
    if not approved:
        return ["A governance reviewer has not approved the promotion to production."]
    return []
