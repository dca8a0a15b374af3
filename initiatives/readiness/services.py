"""Recording readiness: the team updates milestones, governance waives them.

A waiver is a second pair of eyes: whoever asked for it, and anyone on the initiative's
team, leaves the decision to another governance reviewer (`permissions.waiver_conflict`).
A waiver request, once answered, stays on the record with its answer beside it.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils import timezone

from initiatives.core import formats, permissions
from initiatives.core.choices import CheckMode, EventKind, MilestoneStatus, WaiverDecision
from initiatives.core.people import display_name
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.portfolio.models import Initiative
from initiatives.readiness.models import MilestoneRecord, ReadinessMilestone
from initiatives.readiness.scoring import checklist_milestones, template_for

http_url = URLValidator(schemes=["http", "https"], message="Enter an http(s) link.")


def _milestone(initiative: Initiative, key: str) -> ReadinessMilestone:
    """The milestone `key` of the initiative's checklist: its template's, or an obligation
    that applies to it."""
    template = template_for(initiative)
    milestone = (
        checklist_milestones(initiative, template).filter(key=key).first()
        if template is not None
        else None
    )
    if milestone is None:
        raise ValidationError(
            {"key": f"'{key}' is not a milestone of this initiative's checklist."}
        )
    return milestone


def _record(initiative: Initiative, milestone: ReadinessMilestone) -> MilestoneRecord:
    record = (
        MilestoneRecord.objects.select_for_update()
        .filter(initiative=initiative, milestone=milestone)
        .first()
    )
    return record or MilestoneRecord(initiative=initiative, milestone=milestone)


@transaction.atomic
def milestone_update(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    key: str,
    status: str,
    evidence_url: str = "",
    evidence_note: str = "",
    check_mode: str = "",
) -> MilestoneRecord:
    """Set a milestone's status and evidence. `done` needs evidence (a link or a note);
    `waived` is not set here but by `milestone_waive`."""
    initiative = lock_initiative(initiative)
    milestone = _milestone(initiative, key)
    record = _record(initiative, milestone)
    # The team updates its milestones; a governance reviewer may also lift a waiver.
    require(
        permissions.can_update_milestone(actor, initiative)
        or (record.status == MilestoneStatus.WAIVED and permissions.can_waive_milestone(actor)),
        "Only the initiative's team may update its readiness.",
    )
    errors = {}
    if status == MilestoneStatus.WAIVED:
        errors["status"] = "Only a governance reviewer may waive a milestone, with a justification."
    elif status not in MilestoneStatus.values:
        errors["status"] = f"Choose one of: {', '.join(MilestoneStatus.values)}."
    if record.status == MilestoneStatus.WAIVED and not permissions.is_governance(actor):
        errors["status"] = "This milestone is waived; only a governance reviewer may change it."
    if evidence_url:
        try:
            http_url(evidence_url)
        except ValidationError as error:
            errors["evidence_url"] = error.messages[0]
    if status == MilestoneStatus.DONE and not (evidence_url.strip() or evidence_note.strip()):
        errors["evidence_url"] = "Done needs evidence: a link, a note, or both."
    if check_mode and check_mode not in CheckMode.values:
        errors["check_mode"] = f"Choose one of: {', '.join(CheckMode.values)}."
    if errors:
        raise ValidationError(errors)
    record.status = status
    record.evidence_url = evidence_url.strip()
    record.evidence_note = evidence_note.strip()
    record.check_mode = (check_mode or CheckMode.MANUAL) if status == MilestoneStatus.DONE else ""
    record.justification = ""
    if status == MilestoneStatus.DONE and record.waiver_pending:
        _answer_waiver_request(record, actor, WaiverDecision.WITHDRAWN)  # nothing left to waive
    record.updated_by = actor
    record.updated_at = timezone.now()
    save(record, actor)
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.MILESTONE_UPDATED,
        milestone=milestone.pk,
        action="marked",
        status=status,
    )
    return record


@transaction.atomic
def milestone_waive(
    *, initiative: Initiative, actor: AbstractBaseUser, key: str, justification: str
) -> MilestoneRecord:
    """A governance reviewer waives a milestone for this initiative, saying why; never one
    who asked for the waiver or is on the team."""
    initiative = lock_initiative(initiative)
    require(permissions.is_governance(actor), "Only a governance reviewer may waive a milestone.")
    milestone = _milestone(initiative, key)
    record = _record(initiative, milestone)
    require(
        permissions.can_decide_waiver(actor, initiative, record),
        permissions.waiver_conflict(actor, initiative, record),
    )
    if not justification.strip():
        raise ValidationError({"justification": "A waiver needs a justification."})
    record.status = MilestoneStatus.WAIVED
    record.justification = justification.strip()
    record.check_mode = ""
    if record.waiver_pending:
        _answer_waiver_request(record, actor, WaiverDecision.GRANTED)
    record.updated_by = actor
    record.updated_at = timezone.now()
    # A legal obligation says so wherever its waiver is read: the record's history, the
    # timeline, the milestone page (README "Regulation").
    obligation = getattr(milestone, "obligation", None)
    legal = {"article": obligation.article} if obligation else {}
    reason = f"Legal obligation waived by {display_name(actor)}" if obligation else "Waived"
    save(record, actor, reason=reason)
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.MILESTONE_UPDATED,
        milestone=milestone.pk,
        action="waived",
        justification=justification.strip(),
        **legal,
    )
    return record


def _nothing_to_decline(record: MilestoneRecord) -> str:
    """Why a decline found no request: none was made, or another reviewer answered first."""
    if not record.waiver_decision:
        return "No waiver has been requested for this milestone."
    when = formats.when(record.waiver_decided_at)
    return (
        "Nothing was changed: the waiver request was already answered "
        f"({record.get_waiver_decision_display().lower()} by "
        f"{display_name(record.waiver_decided_by)} on {when})."
    )


def _answer_waiver_request(record: MilestoneRecord, actor: AbstractBaseUser, decision: str) -> None:
    """Close the pending request, keeping who asked and why."""
    record.waiver_decision = decision
    record.waiver_decided_by = actor
    record.waiver_decided_at = timezone.now()


@transaction.atomic
def milestone_waiver_request(
    *, initiative: Initiative, actor: AbstractBaseUser, key: str, reason: str
) -> MilestoneRecord:
    """The team asks governance to waive a milestone, saying why. The request waits on the
    governance queue; asking again replaces the reason."""
    initiative = lock_initiative(initiative)
    require(
        permissions.can_update_milestone(actor, initiative),
        "Only the initiative's team may ask for a waiver.",
    )
    milestone = _milestone(initiative, key)
    record = _record(initiative, milestone)
    if record.status == MilestoneStatus.WAIVED:
        raise ValidationError({"reason": "This milestone is already waived."})
    if record.status == MilestoneStatus.DONE:
        raise ValidationError({"reason": "This milestone is done; there is nothing to waive."})
    if not reason.strip():
        raise ValidationError({"reason": "Say why the milestone should be waived."})
    # A new request replaces an answered one; the history keeps the earlier.
    record.waiver_requested_at = timezone.now()
    record.waiver_requested_by = actor
    record.waiver_request_reason = reason.strip()
    record.waiver_decision = ""
    record.waiver_decided_by = None
    record.waiver_decided_at = None
    save(record, actor, reason="Waiver requested")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.MILESTONE_UPDATED,
        milestone=milestone.pk,
        action="waiver_requested",
        reason=reason.strip(),
    )
    return record


@transaction.atomic
def milestone_waiver_decline(
    *, initiative: Initiative, actor: AbstractBaseUser, key: str, comment: str
) -> MilestoneRecord:
    """A governance reviewer declines a waiver request, saying why; the milestone stays. Never
    the reviewer who asked, nor one on the team."""
    initiative = lock_initiative(initiative)
    require(permissions.can_waive_milestone(actor), "Only a governance reviewer may decline.")
    milestone = _milestone(initiative, key)
    record = _record(initiative, milestone)
    require(
        permissions.can_decide_waiver(actor, initiative, record),
        permissions.waiver_conflict(actor, initiative, record),
    )
    if not record.waiver_pending:
        raise ValidationError({"comment": _nothing_to_decline(record)})
    if not comment.strip():
        raise ValidationError({"comment": "Say why the waiver is declined."})
    _answer_waiver_request(record, actor, WaiverDecision.DECLINED)
    save(record, actor, reason=f"Waiver declined: {comment.strip()}")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.MILESTONE_UPDATED,
        milestone=milestone.pk,
        action="waiver_declined",
        comment=comment.strip(),
    )
    return record
