"""Answers checked against the questionnaire: the one place the form and the API validate
them, field by field (a question's key is its field)."""

from django.core.exceptions import ValidationError

from initiatives.core.choices import QuestionKind
from initiatives.regulation.models import Question

NONE = "none"  # the "None of these" option of a several-choice question


def clean_answers(raw: object, items: list[Question]) -> dict[str, list[str]]:
    """`raw` ({question key: option key, or a list of them for several choices}) as
    {question key: [option keys]}, or ValidationError naming each question that is unknown,
    unanswered or answered with something it does not offer. Every active question must be
    answered."""
    if not isinstance(raw, dict):
        raise ValidationError({"answers": "Send the answers as an object: question key → option."})
    by_key = {q.key: q for q in items}
    errors: dict[str, str] = {}
    answers: dict[str, list[str]] = {}
    for key in raw:
        if key not in by_key:
            errors[str(key)] = "No such question."
    for question in items:
        value = raw.get(question.key)
        if value in (None, "", []):
            errors[question.key] = "Answer this question."
            continue
        values = value if isinstance(value, list) else [value]
        if not all(isinstance(v, str) for v in values):
            errors[question.key] = "Give option keys as text."
            continue
        offered = [o.key for o in question.options.all()]
        wrong = [v for v in values if v not in offered]
        if wrong:
            errors[question.key] = (
                f"“{wrong[0][:50]}” is not an option here; choose from: {', '.join(offered)}."
            )
        elif question.kind != QuestionKind.SEVERAL and len(values) > 1:
            errors[question.key] = "Choose one answer."
        elif NONE in values and len(values) > 1:
            errors[question.key] = "“None of these” cannot be chosen with another answer."
        else:
            answers[question.key] = sorted(set(values), key=offered.index)
    if errors:
        raise ValidationError(errors)
    return answers
