"""Who may do what (PRODUCT.md section 1). Written once; called by views, the API and services.

Every function takes the acting user first. `viewer` rights belong to every active,
signed-in user; everything else is granted by team membership, ownership or the
`governance` group. Superusers may do everything except what only the person concerned
can do: accept or decline a handover, confirm their own ownership.

A production owner counts as part of the team once they have accepted; until then the
person handing over (if any) still does, so a system is never left without someone who
may act on it.
"""

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from .choices import BusinessCaseStatus, HandoverStatus, PromotionStatus
from .models import (
    BusinessCase,
    HealthReporterGrant,
    Initiative,
    OwnershipHandover,
    PromotionRequest,
    TeamMembership,
)

GOVERNANCE_GROUP = "governance"
# Service accounts whose tokens may only push health reports.
MACHINE_CLIENTS_GROUP = "machine-clients"

AnyUser = AbstractBaseUser | AnonymousUser


def can_view(user: AnyUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_governance(user: AnyUser) -> bool:
    if not can_view(user):
        return False
    if user.is_superuser:
        return True
    # Cached on the user object: templates and lists ask many times per request.
    cached = getattr(user, "_crossing_is_governance", None)
    if cached is None:
        cached = user.groups.filter(name=GOVERNANCE_GROUP).exists()
        user._crossing_is_governance = cached
    return cached


def team_filter(user: AnyUser) -> Q:
    """Initiatives on whose team `user` is: accepted owner, outgoing owner of a pending
    handover, backup owner or contributor."""
    return (
        Q(production_owner=user, owner_accepted_at__isnull=False)
        | Q(backup_owner=user)
        | Q(Exists(TeamMembership.objects.filter(initiative=OuterRef("pk"), user=user)))
        | Q(
            Exists(
                OwnershipHandover.objects.filter(
                    initiative=OuterRef("pk"), from_owner=user, status=HandoverStatus.PENDING
                )
            )
        )
    )


def is_team_member(user: AnyUser, initiative: Initiative) -> bool:
    if not can_view(user):
        return False
    if user.pk == initiative.backup_owner_id:
        return True
    if user.pk == initiative.production_owner_id and initiative.owner_accepted_at is not None:
        return True
    return Initiative.objects.filter(pk=initiative.pk).filter(team_filter(user)).exists()


def editable_initiatives(user: AnyUser, queryset: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """The subset of `queryset` that `user` may edit."""
    if not can_view(user):
        return queryset.none()
    if user.is_superuser:
        return queryset
    return queryset.filter(team_filter(user))


def can_create_initiative(user: AnyUser) -> bool:
    # Any employee may propose an idea; they become its first contributor.
    return can_view(user)


def can_edit_initiative(user: AnyUser, initiative: Initiative) -> bool:
    return can_view(user) and (user.is_superuser or is_team_member(user, initiative))


def can_change_stage(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_name_owner(user: AnyUser, initiative: Initiative) -> bool:
    # The team, the current owner handing over, or governance resolving an ownerless system.
    return can_edit_initiative(user, initiative) or is_governance(user)


def can_answer_handover(user: AnyUser, handover: OwnershipHandover) -> bool:
    return (
        can_view(user)
        and handover.status == HandoverStatus.PENDING
        and handover.to_owner_id == user.pk
    )


def can_confirm_ownership(user: AnyUser, initiative: Initiative) -> bool:
    return (
        can_view(user)
        and initiative.production_owner_id == user.pk
        and initiative.owner_accepted_at is not None
    )


def can_request_promotion(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_review_promotion(user: AnyUser, promotion: PromotionRequest) -> bool:
    # A reviewer never approves their own request.
    return (
        is_governance(user)
        and promotion.status == PromotionStatus.PENDING
        and promotion.requested_by_id != user.pk
    )


def can_edit_business_case(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_review_business_case(user: AnyUser, case: BusinessCase) -> bool:
    # A reviewer never approves a case they submitted themselves.
    return (
        is_governance(user)
        and case.status == BusinessCaseStatus.SUBMITTED
        and case.submitted_by_id != user.pk
    )


def can_update_milestone(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_waive_milestone(user: AnyUser) -> bool:
    return is_governance(user)


def is_machine_client(user: AnyUser) -> bool:
    if not can_view(user) or user.is_superuser:
        return False
    cached = getattr(user, "_crossing_is_machine_client", None)
    if cached is None:
        cached = user.groups.filter(name=MACHINE_CLIENTS_GROUP).exists()
        user._crossing_is_machine_client = cached
    return cached


def can_report_health(user: AnyUser, initiative: Initiative) -> bool:
    """Machine clients push health only for the initiatives they are granted."""
    if not can_view(user):
        return False
    return (
        user.is_superuser
        or HealthReporterGrant.objects.filter(user=user, initiative=initiative).exists()
    )


def can_import(user: AnyUser) -> bool:
    """Administrators (superusers) only: an import records any person as an owner who has
    accepted, which no other role may do. Staff who are not superusers may not."""
    return can_view(user) and user.is_superuser


# --- Why an object rule refused -------------------------------------------------------------
# A refusal names its reason: who may do it (403), or the state the object is in (409), so a
# client can tell "not yours to do" from "already done".


def answer_handover_refusal(user: AnyUser, handover: OwnershipHandover) -> tuple[int, str]:
    if handover.to_owner_id != user.pk:
        return 403, "Only the person named as the new owner may answer this handover."
    return 409, f"This handover is already {handover.get_status_display().lower()}."


def review_promotion_refusal(user: AnyUser, promotion: PromotionRequest) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may review a promotion request."
    if promotion.requested_by_id == user.pk:
        return 403, "You requested this promotion; another governance reviewer decides."
    return 409, f"This promotion request is already {promotion.get_status_display().lower()}."


def review_business_case_refusal(user: AnyUser, case: BusinessCase) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may review a business case."
    if case.submitted_by_id == user.pk:
        return 403, "You submitted this version; another governance reviewer decides."
    return 409, (
        "Only a version submitted for review can be reviewed; this one is "
        f"{case.get_status_display().lower()}."
    )
