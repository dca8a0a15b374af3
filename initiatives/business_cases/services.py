"""Business cases: drafts, submission, review (README "Business cases").

Every submission is a version of its own and is never edited again; a new version starts
as a copy of the latest. A draft carries a revision number, so a save made against an
older revision (someone else saved in between) is refused instead of overwriting theirs.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.business_cases.models import BusinessCase
from initiatives.core import permissions
from initiatives.core.choices import BusinessCaseStatus, EmailKind, EventKind
from initiatives.core.currencies import default_currency
from initiatives.core.people import display_name
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.outbox import planning
from initiatives.portfolio.models import Initiative

# What a person types; everything else on a case is state or derived.
INPUT_FIELDS = (
    "currency",
    "revenue_protected",
    "revenue_protected_rationale",
    "costs_reduced",
    "costs_reduced_rationale",
    "capacity_hours",
    "hourly_rate",
    "capacity_rationale",
    "risk_mitigated",
    "risk_mitigated_rationale",
    "build_cost",
    "infrastructure_cost",
    "team_fte",
    "cost_per_fte",
    "operational_overhead",
    "target_pilot_date",
    "target_production_date",
)
REVIEW_DECISIONS = {
    "approve": BusinessCaseStatus.APPROVED,
    "reject": BusinessCaseStatus.REJECTED,
    "request_changes": BusinessCaseStatus.CHANGES_REQUESTED,
}


class CaseEditConflict(ValidationError):
    """The draft changed since the editor opened it."""


class FormKeyReused(ValidationError):
    """A `form_key` already used to create a version, posted again with something else.

    `version` is the version the key made; `fields` the inputs that differ from what it was
    created with (empty when only the wish to submit differs).
    """

    def __init__(self, message: str, *, version: int, fields: list[str]):
        super().__init__(message)
        self.version, self.fields = version, fields


def _check_fields(data: dict) -> None:
    unknown = set(data) - set(INPUT_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be set."))


def _same(case: BusinessCase, data: dict) -> bool:
    return all(getattr(case, field) == value for field, value in data.items())


def _lock_case(case: BusinessCase) -> BusinessCase:
    """Lock the case's initiative, then the case: initiative first, as every service does."""
    lock_initiative(case.initiative)
    return BusinessCase.objects.select_for_update().select_related("initiative").get(pk=case.pk)


def latest_inputs(initiative: Initiative) -> dict:
    """The inputs of the latest version, to start a new one from (empty for the first)."""
    latest = initiative.business_cases.order_by("-version").first()
    if latest is None:
        return {"currency": default_currency()}
    return {field: getattr(latest, field) for field in INPUT_FIELDS}


def _replayed(case: BusinessCase, data: dict, submit: bool) -> BusinessCase:
    """`case` if `data` is what it was created with (a replay), else `FormKeyReused`.

    Compared with the version as created (its first history row), since a draft may have
    been edited since: a replay of the original post is still that post.
    """
    created = case.history.order_by("history_id").first() or case  # no history: as it is
    differing = [field for field, value in data.items() if getattr(created, field) != value]
    if differing:
        raise FormKeyReused(
            f"Version {case.version} was already created with this form_key and different "
            f"figures ({', '.join(differing)}); nothing was saved. Send a new form_key to "
            f"start another version, or change version {case.version} instead.",
            version=case.version,
            fields=differing,
        )
    if submit and case.status == BusinessCaseStatus.DRAFT:
        raise FormKeyReused(
            f"Version {case.version} was created with this form_key as a draft; nothing was "
            "saved. Submit that draft instead.",
            version=case.version,
            fields=[],
        )
    return case


def _submit(case: BusinessCase, actor: AbstractBaseUser) -> None:
    case.status = BusinessCaseStatus.SUBMITTED
    case.submitted_by = actor
    case.submitted_at = timezone.now()
    save(case, actor, reason="Submitted for review")
    initiative_event_create(
        initiative=case.initiative,
        actor=actor,
        kind=EventKind.CASE_SUBMITTED,
        version=case.version,
    )


@transaction.atomic
def business_case_create(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    data: dict,
    form_key: str = "",
    submit: bool = False,
) -> BusinessCase:
    """Create the next version from `data`, as a draft or submitted at once.

    Posting the same form twice (the same `form_key` and the same inputs once parsed)
    returns the version the first post made, as it is now. The same `form_key` with other
    inputs, or asking to submit a version the key left as a draft, raises `FormKeyReused`
    and saves nothing. Only one draft may exist per initiative.
    """
    initiative = lock_initiative(initiative)
    require(
        permissions.can_edit_business_case(actor, initiative),
        "Only the initiative's team may write its business case.",
    )
    _check_fields(data)
    if form_key:
        already = initiative.business_cases.filter(form_key=form_key).first()
        if already is not None:
            return _replayed(already, data, submit)
    if initiative.business_cases.filter(status=BusinessCaseStatus.DRAFT).exists():
        raise ValidationError(
            "This initiative already has a draft business case; continue that draft instead."
        )
    latest = initiative.business_cases.order_by("-version").values_list("version", flat=True)
    case = BusinessCase(
        initiative=initiative,
        version=(latest.first() or 0) + 1,
        created_by=actor,
        form_key=form_key,
        **{**latest_inputs(initiative), **data},
    )
    save(case, actor, reason="New version")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.CASE_SAVED,
        version=case.version,
    )
    if submit:
        _submit(case, actor)
    return case


@transaction.atomic
def business_case_update(
    *, case: BusinessCase, actor: AbstractBaseUser, data: dict, revision: int, submit: bool = False
) -> BusinessCase:
    """Save changes to a draft (and submit it, if asked).

    `revision` is the draft's revision the editor started from; if someone saved since,
    the save is refused with `CaseEditConflict` — unless it would change nothing, which is
    the same form posted twice.
    """
    case = _lock_case(case)
    require(
        permissions.can_edit_business_case(actor, case.initiative),
        "Only the initiative's team may write its business case.",
    )
    _check_fields(data)
    if case.status != BusinessCaseStatus.DRAFT:
        if case.status == BusinessCaseStatus.SUBMITTED and submit and _same(case, data):
            return case  # the same submission, posted twice
        raise ValidationError(
            f"Version {case.version} was submitted and can no longer be edited; "
            "start a new version from it."
        )
    if revision != case.revision:
        if _same(case, data) and not submit:
            return case
        raise CaseEditConflict(
            f"{display_name(case.history.first().history_user, empty='Someone')} saved this "
            f"draft at {timezone.localtime(case.updated_at):%H:%M} after you opened it. "
            "Your changes were not saved: reload the draft to see theirs, then make yours again."
        )
    for field, value in data.items():
        setattr(case, field, value)
    case.revision += 1
    case.updated_at = timezone.now()
    save(case, actor, reason="Draft saved")
    if submit:
        _submit(case, actor)
    return case


@transaction.atomic
def business_case_submit(*, case: BusinessCase, actor: AbstractBaseUser) -> BusinessCase:
    """Submit a draft for review as it stands."""
    case = _lock_case(case)
    require(
        permissions.can_edit_business_case(actor, case.initiative),
        "Only the initiative's team may submit its business case.",
    )
    if case.status != BusinessCaseStatus.DRAFT:
        raise ValidationError(f"Version {case.version} is not a draft; it is {case.status}.")
    case.full_clean()
    _submit(case, actor)
    return case


@transaction.atomic
def business_case_review(
    *, case: BusinessCase, actor: AbstractBaseUser, decision: str, comment: str = ""
) -> BusinessCase:
    """A governance reviewer approves, rejects or asks for changes: never one who created,
    saved or submitted this version.

    Approving makes this version the current one. The submitter is told by e-mail.
    """
    case = _lock_case(case)
    require(
        permissions.can_review_business_case(actor, case),
        permissions.review_business_case_refusal(actor, case)[1],
    )
    if decision not in REVIEW_DECISIONS:
        raise ValidationError({"decision": f"Choose one of: {', '.join(REVIEW_DECISIONS)}."})
    if decision != "approve" and not comment.strip():
        raise ValidationError({"comment": "Say what is wrong, so the team can act on it."})
    case.status = REVIEW_DECISIONS[decision]
    case.reviewed_by = actor
    case.reviewed_at = timezone.now()
    case.review_comment = comment
    save(case, actor, reason=f"Review: {case.status}")
    initiative_event_create(
        initiative=case.initiative,
        actor=actor,
        kind=EventKind.CASE_REVIEWED,
        version=case.version,
        status=case.status,
        comment=comment,
    )
    submitter = case.submitted_by
    if submitter is not None and submitter.is_active and submitter.email:
        planning.queue(
            [
                planning.PlannedEmail(
                    dedupe_key=f"case:{case.pk}:{case.status}:{submitter.email.lower()}",
                    kind=EmailKind.CASE_REVIEWED,
                    recipient=submitter.email,
                    recipient_user_id=submitter.pk,
                    initiative_id=case.initiative_id,
                    business_case_id=case.pk,
                )
            ]
        )
    return case


@transaction.atomic
def business_case_revise(*, case: BusinessCase, actor: AbstractBaseUser) -> BusinessCase:
    """The way forward from a version returned for changes: a new draft copied from it, for
    the team to change and submit. While a draft exists, that draft is returned instead of
    a second one (two clicks on "Revise" make one draft)."""
    initiative = lock_initiative(case.initiative)
    require(
        permissions.can_edit_business_case(actor, initiative),
        "Only the initiative's team may revise its business case.",
    )
    case = BusinessCase.objects.get(pk=case.pk)  # its status as of the lock
    if case.status != BusinessCaseStatus.CHANGES_REQUESTED:
        raise ValidationError(
            f"Version {case.version} was not returned for changes ({case.get_status_display()})"
            "; only a returned version is revised."
        )
    draft = initiative.business_cases.filter(status=BusinessCaseStatus.DRAFT).first()
    if draft is not None:
        return draft
    return business_case_create(
        initiative=initiative,
        actor=actor,
        data={field: getattr(case, field) for field in INPUT_FIELDS},
    )
