"""The classification's writes (README "Regulation"): the team submits answers, a
governance reviewer off the team confirms the result or returns it for changes.

Each submission is a version of its own, never edited once submitted; the result is derived
from the answers (`regulation.derivation`) and stored with them. Only one version is open
(a draft or awaiting confirmation) at a time.
"""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core import permissions
from initiatives.core.choices import ClassificationStatus, EventKind
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.portfolio.models import Initiative
from initiatives.readiness.obligations import obligations_apply
from initiatives.regulation import selectors
from initiatives.regulation.derivation import derive
from initiatives.regulation.models import Classification
from initiatives.regulation.outcome import Outcome
from initiatives.regulation.questionnaire import clean_answers


class ClassificationInProgress(ValidationError):
    """A version awaits confirmation: nothing is answered again until it is decided."""


def _store(classification: Classification, outcome: Outcome) -> None:
    classification.category = outcome.category
    classification.role = outcome.role
    classification.high_risk_basis = outcome.high_risk_basis or ""
    classification.annex_point = outcome.annex_point
    classification.transparency = list(outcome.transparency)
    classification.gpai_provider = outcome.gpai_provider
    classification.fundamental_rights_assessment = outcome.fundamental_rights_assessment
    classification.reasons = [list(reason) for reason in outcome.reasons]


def _lock(classification: Classification) -> Classification:
    """Lock the initiative, then the classification (the services' lock order)."""
    lock_initiative(classification.initiative)
    return (
        Classification.objects.select_for_update(of=("self",))
        .select_related("initiative")
        .get(pk=classification.pk)
    )


@transaction.atomic
def classification_submit(
    *, initiative: Initiative, actor: AbstractBaseUser, answers: dict, draft: bool = False
) -> Classification:
    """Record the team's answers with the result derived from them, and (unless `draft`)
    submit them for a governance reviewer to confirm.

    Continues the initiative's draft if there is one, else starts the next version. Refused
    while a version awaits confirmation; answers are checked question by question
    (`ValidationError` keyed by question key) and nothing is saved when one is wrong.
    """
    initiative = lock_initiative(initiative)
    require(
        permissions.can_classify(actor, initiative),
        "Only the initiative's team may classify it.",
    )
    waiting = initiative.classifications.filter(status=ClassificationStatus.SUBMITTED).first()
    if waiting is not None:
        raise ClassificationInProgress(
            f"Version {waiting.version} awaits a governance reviewer's confirmation; it can be "
            "changed once they confirm it or return it."
        )
    questions = selectors.questions()
    cleaned = clean_answers(answers, questions)
    outcome = derive(selectors.chosen(cleaned, questions))
    classification = initiative.classifications.filter(status=ClassificationStatus.DRAFT).first()
    if classification is None:
        latest = initiative.classifications.order_by("-version").first()
        classification = Classification(
            initiative=initiative,
            version=(latest.version if latest else 0) + 1,
            created_by=actor,
        )
    classification.answers = cleaned
    _store(classification, outcome)
    if draft:
        save(classification, actor, reason="Draft saved")
        return classification
    classification.status = ClassificationStatus.SUBMITTED
    classification.submitted_by = actor
    classification.submitted_at = timezone.now()
    save(classification, actor, reason="Submitted for confirmation")
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.CLASSIFICATION_SUBMITTED,
        version=classification.version,
        category=classification.category,
    )
    return classification


def _review(classification: Classification, actor: AbstractBaseUser) -> Classification:
    classification = _lock(classification)
    require(
        permissions.can_confirm_classification(actor, classification),
        permissions.confirm_classification_refusal(actor, classification)[1],
    )
    return classification


@transaction.atomic
def classification_confirm(
    *, classification: Classification, actor: AbstractBaseUser, comment: str = ""
) -> Classification:
    """A governance reviewer who is not on the team (nor its sponsor, nor the submitter)
    confirms the result: it becomes the initiative's classification, and its obligations
    are put on the readiness checklist."""
    classification = _review(classification, actor)
    classification.status = ClassificationStatus.CONFIRMED
    classification.reviewed_by = actor
    classification.reviewed_at = timezone.now()
    classification.review_comment = comment
    save(classification, actor, reason="Confirmed")
    initiative_event_create(
        initiative=classification.initiative,
        actor=actor,
        kind=EventKind.CLASSIFICATION_CONFIRMED,
        version=classification.version,
        category=classification.category,
        comment=comment,
    )
    obligations_apply(
        initiative=classification.initiative, outcome=classification.outcome, actor=actor
    )
    return classification


@transaction.atomic
def classification_return(
    *, classification: Classification, actor: AbstractBaseUser, comment: str
) -> Classification:
    """Return the classification to the team asking for changes, saying what (`comment`,
    required). The team answers again in a new version."""
    classification = _review(classification, actor)
    if not comment.strip():
        raise ValidationError({"comment": "Say what to change, so the team can act on it."})
    classification.status = ClassificationStatus.RETURNED
    classification.reviewed_by = actor
    classification.reviewed_at = timezone.now()
    classification.review_comment = comment
    save(classification, actor, reason="Returned for changes")
    initiative_event_create(
        initiative=classification.initiative,
        actor=actor,
        kind=EventKind.CLASSIFICATION_RETURNED,
        version=classification.version,
        comment=comment,
    )
    return classification
