"""Who may do what (README "Permissions"). Written once; called by views, the API and services.

Every function takes the acting user first. `viewer` rights belong to every active,
signed-in user; everything else is granted by team membership, ownership or the
`governance` group. Superusers may do everything except what only the person concerned
can do: accept or decline a handover, confirm their own ownership.

Separation of duties: a governance decision is a second pair of eyes, never the first.
Nobody reviews a business-case version they created, saved or submitted; nobody decides a
waiver they asked for, or a waiver or promotion for an initiative on whose team they are;
a governance reviewer without team rights does not name themselves owner or backup owner.
These bind superusers too (README, "Separation of duties").

A production owner counts as part of the team once they have accepted; until then the
person handing over (if any) still does, so a system is never left without someone who
may act on it.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from initiatives.business_cases.models import BusinessCase
from initiatives.core import choices
from initiatives.core.choices import (
    BusinessCaseStatus,
    ClassificationStatus,
    EmailStatus,
    HandoverStatus,
    PromotionStatus,
)
from initiatives.health.models import HealthReporterGrant
from initiatives.outbox.models import EmailRecord
from initiatives.ownership.models import OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import Initiative, TeamMembership
from initiatives.readiness.models import MilestoneRecord
from initiatives.regulation.models import Classification
from initiatives.value.models import ValueReporterGrant

# The role groups live in choices (people.py reads them too); named here for callers.
GOVERNANCE_GROUP = choices.GOVERNANCE_GROUP
MACHINE_CLIENTS_GROUP = choices.MACHINE_CLIENTS_GROUP

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


def _owns(user: AnyUser, initiative: Initiative) -> bool:
    """The owners' share of the team: the backup owner, and the production owner once they
    have accepted (read from the row, no query)."""
    return user.pk == initiative.backup_owner_id or (
        user.pk == initiative.production_owner_id and initiative.owner_accepted_at is not None
    )


def is_team_member(user: AnyUser, initiative: Initiative) -> bool:
    if not can_view(user):
        return False
    if _owns(user, initiative):
        return True
    return Initiative.objects.filter(pk=initiative.pk).filter(team_filter(user)).exists()


def keeps_team_rights(user: AnyUser, initiative: Initiative, *, members: set[int]) -> bool:
    """Whether `user` may still edit `initiative` once its contributors are `members` (user
    ids): a superuser, a member, or an owner. A pending handover's outgoing owner is not
    counted: their rights end when the handover is answered."""
    return user.is_superuser or user.pk in members or _owns(user, initiative)


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


def name_owner_refusal(
    user: AnyUser, initiative: Initiative, *, to_owner: AnyUser, backup_owner: AnyUser | None
) -> str:
    """Why `user` may not name these people (empty if they may).

    Governance names an owner from outside the team; it does not give itself the team's
    rights that way (an owner or backup owner edits, hands over and cancels). Superusers
    are bound too: only membership of the team, not the right to edit every initiative,
    lets a person name themselves."""
    if is_team_member(user, initiative):
        return ""
    if user.pk == to_owner.pk:
        return (
            "You are not on this initiative's team: you may name someone else production "
            "owner, not yourself. Ask the team to name you."
        )
    if backup_owner is not None and user.pk == backup_owner.pk:
        return (
            "You are not on this initiative's team: you may name someone else backup owner, "
            "not yourself. Ask the team to name you."
        )
    return ""


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


# --- Separation of duties -------------------------------------------------------------------
# Each `*_conflict` says why `user` may not make this decision although they are a governance
# reviewer (empty when there is no conflict), naming who decides instead.

OTHER_REVIEWER_OFF_TEAM = "another governance reviewer who is not on the team decides."
OTHER_REVIEWER_NOT_AUTHOR = (
    "another governance reviewer who did not create, edit or submit this version decides."
)


def promotion_conflict(user: AnyUser, promotion: PromotionRequest) -> str:
    if promotion.requested_by_id == user.pk:
        return f"You requested this promotion; {OTHER_REVIEWER_OFF_TEAM}"
    if is_team_member(user, promotion.initiative):
        return f"You are on this initiative's team; {OTHER_REVIEWER_OFF_TEAM}"
    return ""


def case_author_ids(case: BusinessCase) -> set[int]:
    """Who created, saved or submitted this version: its creator and submitter, and everyone
    its history records as saving it while it was a draft or being submitted."""
    history = case.history.filter(
        status__in=[BusinessCaseStatus.DRAFT, BusinessCaseStatus.SUBMITTED],
        history_user__isnull=False,
    ).values_list("history_user_id", flat=True)
    return {case.created_by_id, case.submitted_by_id, *history} - {None}


def case_authored_by(user: AnyUser) -> Q:
    """Business-case versions `user` created, saved or submitted (see `case_author_ids`)."""
    edited = BusinessCase.history.model.objects.filter(
        id=OuterRef("pk"),
        history_user_id=user.pk,
        status__in=[BusinessCaseStatus.DRAFT, BusinessCaseStatus.SUBMITTED],
    )
    return Q(created_by_id=user.pk) | Q(submitted_by_id=user.pk) | Q(Exists(edited))


def on_team_of_initiative(user: AnyUser) -> Q:
    """Rows (with an `initiative`) of initiatives on whose team `user` is."""
    return Q(
        Exists(Initiative.objects.filter(pk=OuterRef("initiative_id")).filter(team_filter(user)))
    )


def promotions_in_conflict(user: AnyUser) -> Q:
    """Promotion requests `user` may not review (see `promotion_conflict`)."""
    return Q(requested_by_id=user.pk) | on_team_of_initiative(user)


def waivers_in_conflict(user: AnyUser) -> Q:
    """Milestone records whose pending waiver `user` may not decide (`waiver_conflict`)."""
    return Q(waiver_requested_by_id=user.pk) | on_team_of_initiative(user)


def case_conflict(user: AnyUser, case: BusinessCase) -> str:
    if user.pk in case_author_ids(case):
        return f"You created, edited or submitted this version; {OTHER_REVIEWER_NOT_AUTHOR}"
    return ""


def waiver_conflict(user: AnyUser, initiative: Initiative, record: MilestoneRecord | None) -> str:
    """Deciding a waiver (granting or declining it): never the person who asked, nor anyone on
    the team, who would be asking and granting at once."""
    if record is not None and record.waiver_pending and record.waiver_requested_by_id == user.pk:
        return f"You asked for this waiver; {OTHER_REVIEWER_OFF_TEAM}"
    if is_team_member(user, initiative):
        return f"You are on this initiative's team; {OTHER_REVIEWER_OFF_TEAM}"
    return ""


def can_review_promotion(user: AnyUser, promotion: PromotionRequest) -> bool:
    return (
        is_governance(user)
        and promotion.status == PromotionStatus.PENDING
        and not promotion_conflict(user, promotion)
    )


def can_edit_business_case(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_review_business_case(user: AnyUser, case: BusinessCase) -> bool:
    return (
        is_governance(user)
        and case.status == BusinessCaseStatus.SUBMITTED
        and not case_conflict(user, case)
    )


def can_classify(user: AnyUser, initiative: Initiative) -> bool:
    """The team answers the EU AI Act questionnaire."""
    return can_edit_initiative(user, initiative)


def classification_conflict(user: AnyUser, classification: Classification) -> str:
    """Confirming a classification: never anyone on the team (owner, backup, member), its
    sponsor, or whoever submitted it — they would be classifying and confirming at once."""
    initiative = classification.initiative
    if classification.submitted_by_id == user.pk:
        return f"You submitted this classification; {OTHER_REVIEWER_OFF_TEAM}"
    if initiative.sponsor_id == user.pk:
        return f"You sponsor this initiative; {OTHER_REVIEWER_OFF_TEAM}"
    if is_team_member(user, initiative):
        return f"You are on this initiative's team; {OTHER_REVIEWER_OFF_TEAM}"
    return ""


def can_confirm_classification(user: AnyUser, classification: Classification) -> bool:
    """Confirm it, or return it asking for changes: a governance reviewer off the team."""
    return (
        is_governance(user)
        and classification.status == ClassificationStatus.SUBMITTED
        and not classification_conflict(user, classification)
    )


def classifications_in_conflict(user: AnyUser) -> Q:
    """Classifications `user` may not confirm (see `classification_conflict`)."""
    sponsored = Q(
        Exists(Initiative.objects.filter(pk=OuterRef("initiative_id"), sponsor_id=user.pk))
    )
    return Q(submitted_by_id=user.pk) | sponsored | on_team_of_initiative(user)


def confirm_classification_refusal(
    user: AnyUser, classification: Classification
) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may confirm or return a classification."
    conflict = classification_conflict(user, classification)
    if conflict:
        return 403, conflict
    return 409, (
        "Only a classification awaiting confirmation can be confirmed or returned; this one is "
        f"{classification.get_status_display().lower()}."
    )


def can_update_milestone(user: AnyUser, initiative: Initiative) -> bool:
    return can_edit_initiative(user, initiative)


def can_waive_milestone(user: AnyUser) -> bool:
    """Governance in general: lifting a waiver, seeing the waiver forms at all."""
    return is_governance(user)


def can_decide_waiver(
    user: AnyUser, initiative: Initiative, record: MilestoneRecord | None
) -> bool:
    """Grant a waiver (with or without a request) or decline a request."""
    return is_governance(user) and not waiver_conflict(user, initiative, record)


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


def can_report_value(user: AnyUser, initiative: Initiative) -> bool:
    """The team (the owner or a contributor) reports the value its system delivered; a
    machine client only for the initiatives it is granted (`grant_value_reporting`)."""
    if not can_view(user):
        return False
    if can_edit_initiative(user, initiative):
        return True
    return ValueReporterGrant.objects.filter(user=user, initiative=initiative).exists()


def can_remove_health_report(user: AnyUser) -> bool:
    """Staff allowed to delete health reports remove a broken probe's report (in the admin),
    with a reason the initiative's timeline keeps."""
    return can_view(user) and user.is_staff and user.has_perm("initiatives.delete_healthreport")


def can_import(user: AnyUser) -> bool:
    """Administrators (superusers) only: an import records any person as an owner who has
    accepted, which no other role may do. Staff who are not superusers may not."""
    return can_view(user) and user.is_superuser


def can_see_email_log(user: AnyUser) -> bool:
    return is_governance(user)


def can_send_email_again(user: AnyUser, email: EmailRecord) -> bool:
    """Governance sends a failed e-mail again; one that is pending or sent is not theirs to
    repeat (the outbox never sends one person the same e-mail twice)."""
    return (
        is_governance(user)
        and email.status == EmailStatus.FAILED
        and not _recipient_has_left(email)
    )


def _recipient_has_left(email: EmailRecord) -> bool:
    # A deactivated person has left: their mail would go nowhere anyone reads.
    return email.recipient_user_id is not None and not email.recipient_user.is_active


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
    conflict = promotion_conflict(user, promotion)
    if conflict:
        return 403, conflict
    return 409, f"This promotion request is already {promotion.get_status_display().lower()}."


def decide_waiver_refusal(
    user: AnyUser, initiative: Initiative, record: MilestoneRecord | None
) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may waive a milestone or decline a waiver request."
    return 403, waiver_conflict(user, initiative, record)


def send_email_again_refusal(user: AnyUser, email: EmailRecord) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may send an e-mail again."
    if email.status == EmailStatus.FAILED and _recipient_has_left(email):
        return 409, (
            f"{email.recipient} belongs to a deactivated account; an e-mail sent again would "
            "reach nobody who acts on it."
        )
    status = email.get_status_display().lower()
    return 409, f"Only a failed e-mail can be sent again; this one is {status}."


def review_business_case_refusal(user: AnyUser, case: BusinessCase) -> tuple[int, str]:
    if not is_governance(user):
        return 403, "Only a governance reviewer may review a business case."
    conflict = case_conflict(user, case)
    if conflict:
        return 403, conflict
    return 409, (
        "Only a version submitted for review can be reviewed; this one is "
        f"{case.get_status_display().lower()}."
    )


# --- Who may decide instead ------------------------------------------------------------------
# A person refused by separation of duties is told whom to ask, by name.


def _team_ids(initiative: Initiative) -> set[int]:
    """Everyone on the initiative's team (see `team_filter`), as user ids. Two queries."""
    ids = set(TeamMembership.objects.filter(initiative=initiative).values_list("user", flat=True))
    ids |= set(
        OwnershipHandover.objects.filter(
            initiative=initiative, status=HandoverStatus.PENDING
        ).values_list("from_owner", flat=True)
    )
    if initiative.owner_accepted_at is not None:
        ids.add(initiative.production_owner_id)
    ids.add(initiative.backup_owner_id)
    return ids - {None}


def reviewers_free_to_decide(
    initiative: Initiative, *, not_ids: set[int], off_the_team: bool, limit: int = 5
) -> list[AbstractBaseUser]:
    """Active governance reviewers (superusers included) who may decide what the people in
    `not_ids` may not: never those people, and nobody on the team where `off_the_team`."""
    excluded = set(not_ids) | (_team_ids(initiative) if off_the_team else set())
    reviewers = (
        get_user_model()
        .objects.filter(is_active=True)
        .filter(Q(is_superuser=True) | Q(groups__name=GOVERNANCE_GROUP))
        .exclude(pk__in=excluded - {None})
        .distinct()
        .order_by("first_name", "last_name", "username")
    )
    return list(reviewers[:limit])


def case_deciders(case: BusinessCase) -> list[AbstractBaseUser]:
    return reviewers_free_to_decide(
        case.initiative, not_ids=case_author_ids(case), off_the_team=False
    )


def classification_deciders(classification: Classification) -> list[AbstractBaseUser]:
    initiative = classification.initiative
    return reviewers_free_to_decide(
        initiative,
        not_ids={classification.submitted_by_id, initiative.sponsor_id},
        off_the_team=True,
    )


def promotion_deciders(promotion: PromotionRequest) -> list[AbstractBaseUser]:
    return reviewers_free_to_decide(
        promotion.initiative, not_ids={promotion.requested_by_id}, off_the_team=True
    )


def waiver_deciders(
    initiative: Initiative, record: MilestoneRecord | None
) -> list[AbstractBaseUser]:
    asked = {record.waiver_requested_by_id} if record is not None else set()
    return reviewers_free_to_decide(initiative, not_ids=asked, off_the_team=True)
