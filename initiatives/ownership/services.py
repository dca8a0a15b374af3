from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core import permissions
from initiatives.core.choices import (
    ConfirmationChannel,
    EventKind,
    HandoverStatus,
    PromotionStatus,
    Stage,
)
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.outbox import planning
from initiatives.ownership.models import OwnershipConfirmation, OwnershipHandover, PromotionRequest
from initiatives.portfolio.models import Initiative, Team


def _pending_handovers_supersede(
    *, initiative: Initiative, actor: AbstractBaseUser | None, at, reason: str = ""
) -> tuple[AbstractBaseUser | None, datetime | None, AbstractBaseUser | None]:
    """Supersede (and keep) every handover still pending on the locked `initiative`, and
    return the arrangement from before them: the owner who last accepted, when, and the
    backup owner of that time. A new handover hands over from that arrangement, never from
    a nominee who did not accept."""
    arrangement = (
        initiative.production_owner,
        initiative.owner_accepted_at,
        initiative.backup_owner,
    )
    # Locked after the initiative, as every service that locks both does.
    for pending in initiative.handovers.select_for_update().filter(status=HandoverStatus.PENDING):
        arrangement = (
            pending.from_owner,
            pending.from_owner_accepted_at,
            pending.from_backup_owner,
        )
        pending.status = HandoverStatus.SUPERSEDED
        pending.decided_at = at
        save(pending, actor, reason)
    return arrangement


def _confirmation_stamp(
    *, initiative: Initiative, owner: AbstractBaseUser, at: datetime, channel: str
) -> OwnershipConfirmation:
    """Stamp the owner's confirmation: the initiative's confirmation clock restarts at `at`
    and a confirmation row records who confirmed, when and how. The caller saves the
    initiative (with its own history reason)."""
    initiative.owner_confirmed_at = at
    return OwnershipConfirmation.objects.create(
        initiative=initiative, owner=owner, confirmed_at=at, channel=channel
    )


# --- Ownership ------------------------------------------------------------------------------


@transaction.atomic
def handover_start(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    to_owner: AbstractBaseUser,
    owning_team: Team | None = None,
    backup_owner: AbstractBaseUser | None = None,
    note: str = "",
) -> OwnershipHandover:
    """Name `to_owner` as production owner. Their ownership is pending until they accept.

    A handover still pending for someone else is superseded (and kept).
    """
    initiative = lock_initiative(initiative)
    require(
        permissions.can_name_owner(actor, initiative),
        "Only the initiative's team or governance may name its production owner.",
    )
    # Governance from outside the team names others, never itself (separation of duties).
    refusal = permissions.name_owner_refusal(
        actor, initiative, to_owner=to_owner, backup_owner=backup_owner
    )
    require(not refusal, refusal)
    errors = {}
    if not to_owner.is_active:
        errors["to_owner"] = "This person's account is deactivated."
    elif to_owner.pk == initiative.production_owner_id:
        errors["to_owner"] = (
            "This person is already named production owner."
            if initiative.owner_accepted_at is None
            else "This person is already the production owner."
        )
    if backup_owner is not None and backup_owner.pk == to_owner.pk:
        errors["backup_owner"] = "The backup owner must be someone other than the owner."
    elif backup_owner is None and to_owner.pk == initiative.backup_owner_id:
        errors["backup_owner"] = (
            f"{to_owner.get_username()} is this initiative's backup owner; name another "
            "backup owner to make them production owner."
        )
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    # The outgoing owner is the last one who accepted, and the backup the one from before:
    # naming someone else while a handover is pending replaces that handover, it does not
    # hand over from its nominee. A decline restores both (see `handover_decline`).
    from_owner, from_accepted_at, from_backup = _pending_handovers_supersede(
        initiative=initiative, actor=actor, at=now
    )
    handover = OwnershipHandover(
        initiative=initiative,
        from_owner=from_owner,
        from_owner_accepted_at=from_accepted_at,
        from_backup_owner=from_backup,
        to_owner=to_owner,
        owning_team=owning_team or initiative.owning_team,
        requested_by=actor,
        requested_at=now,
        note=note,
    )
    save(handover, actor)
    initiative.production_owner = to_owner
    initiative.owner_accepted_at = None
    if owning_team is not None:
        initiative.owning_team = owning_team
    if backup_owner is not None:
        initiative.backup_owner = backup_owner
    save(initiative, actor, reason="Production owner named")
    planning.queue([planning.plan_handover_request(handover)])
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.OWNER_NAMED,
        to_owner=to_owner.pk,
    )
    return handover


def _lock_handover(handover: OwnershipHandover) -> tuple[Initiative, OwnershipHandover]:
    """Lock the handover's initiative, then the handover (the order of `handover_start`, so
    an answer and a new nomination wait for each other instead of deadlocking)."""
    initiative = lock_initiative(handover.initiative)
    return initiative, OwnershipHandover.objects.select_for_update().get(pk=handover.pk)


@transaction.atomic
def handover_accept(
    *,
    handover: OwnershipHandover,
    actor: AbstractBaseUser,
    confirms_skills: bool,
    confirms_mandate: bool,
    confirms_budget: bool,
    note: str = "",
) -> OwnershipHandover:
    """The named owner accepts, confirming the team has the skills, mandate and budget."""
    initiative, handover = _lock_handover(handover)
    require(
        permissions.can_answer_handover(actor, handover),
        "Only the person named, while the handover is pending, may accept it.",
    )
    missing = {
        field: message
        for field, given, message in (
            ("confirms_skills", confirms_skills, "Confirm the team has the skills to run it."),
            ("confirms_mandate", confirms_mandate, "Confirm the team has the mandate."),
            ("confirms_budget", confirms_budget, "Confirm the team has the budget."),
        )
        if not given
    }
    if missing:
        raise ValidationError(missing)
    now = timezone.now()
    handover.status = HandoverStatus.ACCEPTED
    handover.decided_at = now
    handover.decision_note = note
    handover.confirms_skills = handover.confirms_mandate = handover.confirms_budget = True
    save(handover, actor)
    initiative.owner_accepted_at = now
    _confirmation_stamp(
        initiative=initiative, owner=actor, at=now, channel=ConfirmationChannel.HANDOVER
    )
    save(initiative, actor, reason="Handover accepted")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.HANDOVER_ACCEPTED,
    )
    return handover


@transaction.atomic
def handover_decline(
    *, handover: OwnershipHandover, actor: AbstractBaseUser, note: str
) -> OwnershipHandover:
    """The named owner declines; the arrangement from before the handover is restored: the
    previous owner (if any) owns it again as before, with the backup owner from before."""
    initiative, handover = _lock_handover(handover)
    require(
        permissions.can_answer_handover(actor, handover),
        "Only the person named, while the handover is pending, may decline it.",
    )
    if not note.strip():
        raise ValidationError({"note": "Say why you decline, so the team can name someone else."})
    handover.status = HandoverStatus.DECLINED
    handover.decided_at = timezone.now()
    handover.decision_note = note
    save(handover, actor)
    _ownership_as_before(initiative, handover, actor, reason="Handover declined")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.HANDOVER_DECLINED,
        note=note,
    )
    return handover


def _ownership_as_before(
    initiative: Initiative, handover: OwnershipHandover, actor, *, reason: str
) -> None:
    """Put back the owner, acceptance and backup from before `handover` (declined or
    cancelled). The outgoing owner may have been kept as backup; they own it again, so the
    backup is the one from before the handover."""
    initiative.production_owner = handover.from_owner
    initiative.owner_accepted_at = handover.from_owner_accepted_at
    initiative.backup_owner = handover.from_backup_owner
    save(initiative, actor, reason=reason)


@transaction.atomic
def handovers_cancel_for_leaver(
    *, person: AbstractBaseUser, actor: AbstractBaseUser | None, reason: str
) -> list[OwnershipHandover]:
    """Cancel every handover still waiting for `person`, who was deactivated (left) before
    answering, and return them. Each initiative goes back to its arrangement from before the
    handover, as after a decline; the cancellation is on its timeline, and the person who
    proposed the handover is e-mailed (after commit, once) so they can name someone else.

    Called by the leaver path (`initiatives.identity.services.person_deactivate`), not by a
    page: nobody chooses to cancel a handover, the person's departure does.
    """
    # Initiatives locked in id order, so two leaver paths never wait on each other in a circle.
    initiative_ids = sorted(
        OwnershipHandover.objects.filter(to_owner=person, status=HandoverStatus.PENDING)
        .values_list("initiative_id", flat=True)
        .distinct()
    )
    cancelled = []
    now = timezone.now()
    for initiative_id in initiative_ids:
        initiative = lock_initiative(Initiative(pk=initiative_id))
        handover = (
            initiative.handovers.select_for_update()
            .filter(to_owner=person, status=HandoverStatus.PENDING)
            .first()
        )
        if handover is None:  # answered or superseded since the ids were read
            continue
        handover.status = HandoverStatus.CANCELLED
        handover.decided_at = now
        handover.decision_note = reason
        save(handover, actor, "Cancelled: the person named was deactivated")
        _ownership_as_before(
            initiative,
            handover,
            actor,
            reason="Handover cancelled: the person named was deactivated",
        )
        initiative_event_create(
            initiative=initiative,
            actor=actor,
            kind=EventKind.HANDOVER_CANCELLED,
            to_owner=person.pk,
            note=reason,
        )
        cancelled.append(handover)
    planning.queue([planning.plan_handover_cancelled(h) for h in cancelled])
    return cancelled


class LinkAlreadyUsed(ValidationError):
    """A single-use confirmation link whose confirmation has already happened."""


@transaction.atomic
def ownership_confirm(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    channel: str = ConfirmationChannel.WEB,
    replacing: str | None = None,
) -> OwnershipConfirmation:
    """The owner says "I still own this"; resets the confirmation clock.

    `replacing` (from an e-mailed link) is the confirmation time the link was issued
    against; once any newer confirmation exists the link is used up (`LinkAlreadyUsed`).
    """
    initiative = lock_initiative(initiative)
    require(
        permissions.can_confirm_ownership(actor, initiative),
        "Only the production owner, once they have accepted, may confirm ownership.",
    )
    if replacing is not None:
        current = initiative.owner_confirmed_at.isoformat() if initiative.owner_confirmed_at else ""
        if current != replacing:
            raise LinkAlreadyUsed("This link has already been used.")
    now = timezone.now()
    confirmation = _confirmation_stamp(initiative=initiative, owner=actor, at=now, channel=channel)
    save(initiative, actor, reason="Ownership confirmed")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.OWNERSHIP_CONFIRMED,
    )
    return confirmation


@transaction.atomic
def handover_import(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser | None,
    to_owner: AbstractBaseUser | None,
    confirmed_at: datetime | None,
    source: str,
) -> OwnershipHandover | None:
    """Record an imported owner, who already runs the system, as an accepted handover (and
    an imported confirmation date as their confirmation). Returns the new handover, if any.

    The acceptance is the importer's word, not the owner's: the handover says so, and the
    history rows of the handover and of the initiative name the import as its source. A
    handover still pending is superseded, as when an owner is named in the portal.
    """
    if to_owner is None:
        return None
    initiative = lock_initiative(initiative)
    reason = f"Imported from {source}"
    acceptance = f"Acceptance recorded by the import from {source}"
    now = timezone.now()
    if (
        confirmed_at is not None
        and confirmed_at != initiative.owner_confirmed_at  # an export repeats the stored one
        and to_owner.pk == initiative.production_owner_id
        and initiative.owner_accepted_at is None
    ):
        raise ValidationError(
            {
                "owner_confirmed_at": f"{to_owner.get_username()} has not accepted the handover "
                "in the portal yet, so no confirmation can be recorded for them."
            }
        )
    if to_owner.pk == initiative.backup_owner_id:
        raise ValidationError(
            {
                "production_owner": f"{to_owner.get_username()} is this initiative's backup "
                "owner; the production owner must be someone else."
            }
        )
    handover = None
    changed = False
    if to_owner.pk != initiative.production_owner_id:
        from_owner, from_accepted_at, from_backup = _pending_handovers_supersede(
            initiative=initiative, actor=actor, at=now, reason=reason
        )
        handover = OwnershipHandover(
            initiative=initiative,
            from_owner=from_owner,
            from_owner_accepted_at=from_accepted_at,
            from_backup_owner=from_backup,
            to_owner=to_owner,
            owning_team=initiative.owning_team,
            requested_at=confirmed_at or now,
            note=reason,
            status=HandoverStatus.ACCEPTED,
            decided_at=confirmed_at or now,
            decision_note=f"Recorded as accepted by the import from {source}, not "
            "accepted by the owner in the portal.",
            confirms_skills=True,
            confirms_mandate=True,
            confirms_budget=True,
        )
        save(handover, actor, acceptance)
        initiative.production_owner = to_owner
        initiative.owner_accepted_at = confirmed_at or now
        reason = acceptance
        changed = True
    if confirmed_at is not None and confirmed_at != initiative.owner_confirmed_at:
        _confirmation_stamp(
            initiative=initiative,
            owner=to_owner,
            at=confirmed_at,
            channel=ConfirmationChannel.IMPORT,
        )
        changed = True
    if changed:
        save(initiative, actor, reason)
    return handover


# --- Promotion to production ----------------------------------------------------------------


@transaction.atomic
def promotion_request_create(
    *, initiative: Initiative, actor: AbstractBaseUser, note: str = ""
) -> PromotionRequest:
    """Ask governance to approve the promotion to production."""
    initiative = lock_initiative(initiative)
    require(
        permissions.can_request_promotion(actor, initiative),
        "Only the initiative's team may request its promotion.",
    )
    if initiative.stage != Stage.PILOT:
        raise ValidationError("Only an initiative in pilot can be promoted to production.")
    if initiative.promotion_requests.filter(status=PromotionStatus.PENDING).exists():
        raise ValidationError("A promotion request is already awaiting review.")
    promotion = PromotionRequest(initiative=initiative, requested_by=actor, note=note)
    save(promotion, actor)
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.PROMOTION_REQUESTED,
    )
    return promotion


@transaction.atomic
def promotion_review(
    *, promotion: PromotionRequest, actor: AbstractBaseUser, approve: bool, comment: str = ""
) -> PromotionRequest:
    """A governance reviewer approves or rejects, with a comment: never the requester nor
    anyone on the initiative's team."""
    lock_initiative(promotion.initiative)  # the initiative first, as every service does
    promotion = PromotionRequest.objects.select_for_update().get(pk=promotion.pk)
    require(
        permissions.can_review_promotion(actor, promotion),
        permissions.review_promotion_refusal(actor, promotion)[1],
    )
    if not approve and not comment.strip():
        raise ValidationError({"comment": "Say why the promotion is rejected."})
    promotion.status = PromotionStatus.APPROVED if approve else PromotionStatus.REJECTED
    promotion.reviewed_by = actor
    promotion.reviewed_at = timezone.now()
    promotion.review_comment = comment
    save(promotion, actor)
    initiative_event_create(
        initiative=promotion.initiative,
        actor=actor,
        kind=EventKind.PROMOTION_REVIEWED,
        status=promotion.status,
        comment=comment,
    )
    return promotion
