"""The shipped EU AI Act questionnaire in tests, and answers to it."""

import importlib

from django.apps import apps

from initiatives.models import Question
from initiatives.regulation import selectors

# The data migration that ships the questionnaire.
QUESTIONNAIRE_MIGRATION = "initiatives.migrations.0037_classification_data"


def questionnaire() -> None:
    """Load the shipped questionnaire again when an earlier transactional test's flush
    removed it (a flush empties every table, seeded ones too)."""
    if not Question.objects.exists():
        importlib.import_module(QUESTIONNAIRE_MIGRATION).load(apps, None)


def answers(**given) -> dict:
    """{question key: option key or [option keys]} for every active question: each answered
    "no" (or "none of these"), the role a deployer, with the `given` answers instead."""
    questionnaire()
    out = {}
    for question in selectors.questions():
        keys = [o.key for o in question.options.all()]
        if question.kind == "several":
            out[question.key] = ["none"]
        elif "no" in keys:
            out[question.key] = "no"
        elif "none" in keys:
            out[question.key] = "none"
        else:
            out[question.key] = "deployer"
    out.update(given)
    return out
