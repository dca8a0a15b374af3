"""What the stage gates ask for, arranged directly: an accepted production owner, an approved
business case (with complete readiness) and an approved promotion."""

from django.utils import timezone

from initiatives.core.choices import BusinessCaseStatus, PromotionStatus
from tests.factories import BusinessCaseFactory, PromotionRequestFactory, complete_readiness


def accepted_owner(initiative, owner):
    initiative.production_owner = owner
    initiative.owner_accepted_at = timezone.now()
    initiative.save()


def case(initiative, status=BusinessCaseStatus.APPROVED):
    complete_readiness(initiative)  # production also needs readiness; tested on its own
    return BusinessCaseFactory(initiative=initiative, status=status)


def approve_promotion(initiative, reviewer):
    PromotionRequestFactory(
        initiative=initiative,
        status=PromotionStatus.APPROVED,
        reviewed_by=reviewer,
        reviewed_at=timezone.now(),
    )
