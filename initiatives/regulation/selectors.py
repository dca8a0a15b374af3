"""Reads of the classification (README "Regulation"): the questionnaire, an initiative's
versions, what changed between two, and what waits for a reviewer."""

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Prefetch, QuerySet, Subquery

from initiatives.core.choices import ClassificationStatus, RegulatoryCategory
from initiatives.portfolio.models import Initiative
from initiatives.regulation.derivation import Chosen
from initiatives.regulation.models import Classification, Option, Question


def questions(*, active_only: bool = True) -> list[Question]:
    """The questionnaire in its order, each question with its options (two queries)."""
    rows = Question.objects.prefetch_related(
        Prefetch("options", queryset=Option.objects.order_by("order", "key"))
    ).order_by("order", "key")
    if active_only:
        rows = rows.filter(active=True)
    return list(rows)


@dataclass(frozen=True)
class Section:
    title: str
    questions: list[Question]


def sections(items: list[Question]) -> list[Section]:
    """The questions grouped by section, sections in the order they are first asked."""
    grouped: dict[str, list[Question]] = {}
    for question in items:
        grouped.setdefault(question.section, []).append(question)
    return [Section(title, rows) for title, rows in grouped.items()]


def chosen(answers: dict[str, list[str]], items: list[Question]) -> list[Chosen]:
    """The options `answers` chose, as the derivation reads them. Keys no longer asked, or
    options no longer offered, are left out."""
    by_key = {q.key: q for q in items}
    out = []
    for key, option_keys in answers.items():
        question = by_key.get(key)
        if question is None:
            continue
        options = {o.key: o for o in question.options.all()}
        for option_key in option_keys:
            option = options.get(option_key)
            if option is not None:
                out.append(
                    Chosen(
                        question=key,
                        question_text=question.text,
                        article=question.article,
                        label=option.label,
                        effect=option.effect,
                    )
                )
    return out


def classifications() -> QuerySet[Classification]:
    """Classification versions, newest first, with who submitted and reviewed them."""
    return Classification.objects.select_related(
        "initiative", "created_by", "submitted_by", "reviewed_by"
    ).order_by("-version")


def current_classification(initiative: Initiative) -> Classification | None:
    """The latest confirmed version: what the initiative is classified as."""
    return (
        classifications()
        .filter(initiative=initiative, status=ClassificationStatus.CONFIRMED)
        .first()
    )


def confirmed_before(classification: Classification) -> Classification | None:
    """The latest confirmed version older than `classification` (what it is compared with)."""
    return (
        classifications()
        .filter(
            initiative_id=classification.initiative_id,
            status=ClassificationStatus.CONFIRMED,
            version__lt=classification.version,
        )
        .first()
    )


def awaiting_confirmation() -> QuerySet[Classification]:
    """Submitted versions waiting for a governance reviewer, the longest waiting first."""
    return (
        Classification.objects.filter(status=ClassificationStatus.SUBMITTED)
        .select_related("initiative", "submitted_by")
        .order_by("submitted_at", "pk")
    )


def _latest_confirmed(as_of=None) -> QuerySet[Classification]:
    rows = Classification.objects.filter(
        initiative=OuterRef("pk"), status=ClassificationStatus.CONFIRMED
    )
    if as_of is not None:
        rows = rows.filter(reviewed_at__lte=as_of)
    return rows.order_by("-version")


def confirmed_exists(as_of=None) -> Exists:
    """For an Initiative queryset: has a confirmed classification (reviewed by `as_of`)."""
    return Exists(_latest_confirmed(as_of))


# The EU AI Act filter's values: a category, or none confirmed.
UNCLASSIFIED = "unclassified"
CATEGORY_FILTER_CHOICES = [*RegulatoryCategory.choices, (UNCLASSIFIED, "Not classified")]


def with_category(initiatives: QuerySet[Initiative]) -> QuerySet[Initiative]:
    """`initiatives` annotated with `eu_ai_act`: the category of the latest confirmed
    classification, None when none is confirmed (one subquery, no extra query)."""
    return initiatives.annotate(eu_ai_act=Subquery(_latest_confirmed().values("category")[:1]))


def in_category(initiatives: QuerySet[Initiative], category: str) -> QuerySet[Initiative]:
    """The initiatives whose latest confirmed classification is `category`, or with none
    confirmed for UNCLASSIFIED: the portfolio's counts and the list's filter alike."""
    annotated = with_category(initiatives)
    if category == UNCLASSIFIED:
        return annotated.filter(eu_ai_act__isnull=True)
    return annotated.filter(eu_ai_act=category)


def categories_of(initiative_ids) -> dict[int, str]:
    """Each initiative's confirmed category, by id (absent: not classified). One query."""
    rows = (
        Classification.objects.filter(
            initiative_id__in=list(initiative_ids), status=ClassificationStatus.CONFIRMED
        )
        .order_by("initiative_id", "version")
        .values_list("initiative_id", "category")
    )
    return dict(rows)  # the latest version comes last and wins


CATEGORY_LABELS = dict(RegulatoryCategory.choices)


@dataclass(frozen=True)
class Change:
    label: str
    old: str
    new: str


def answer_words(question: Question | None, option_keys: list[str]) -> str:
    if question is None:
        return ", ".join(option_keys) or "—"
    labels = {o.key: o.label for o in question.options.all()}
    return "; ".join(labels.get(k, k) for k in option_keys) or "—"


def result_rows(c: Classification) -> list[tuple[str, str]]:
    """The result of a version in words, row by row (also what `changes` compares)."""
    basis = {"annex_i": "Annex I (Art. 6(1))", "annex_iii": f"Annex III {c.annex_point}"}
    return [
        ("Category", c.get_category_display()),
        ("Role", c.get_role_display()),
        ("High-risk basis", basis.get(c.high_risk_basis, "—")),
        ("Transparency (Art. 50)", ", ".join(c.transparency) or "—"),
        ("General-purpose AI model provider (Art. 53)", "yes" if c.gpai_provider else "no"),
        (
            "Fundamental rights impact assessment (Art. 27)",
            "yes" if c.fundamental_rights_assessment else "no",
        ),
    ]


def changes(older: Classification, newer: Classification, items: list[Question]) -> dict:
    """What changed from `older` to `newer`: the answers (in the questionnaire's order) and
    the result, only the rows that differ."""
    by_key = {q.key: q for q in items}
    keys = [q.key for q in items] + sorted((set(older.answers) | set(newer.answers)) - set(by_key))
    answers = []
    for key in keys:
        old, new = older.answers.get(key, []), newer.answers.get(key, [])
        if sorted(old) != sorted(new):
            question = by_key.get(key)
            answers.append(
                Change(
                    question.text if question else key,
                    answer_words(question, old),
                    answer_words(question, new),
                )
            )
    result = [
        Change(label, old, new)
        for (label, old), (_, new) in zip(result_rows(older), result_rows(newer), strict=True)
        if old != new
    ]
    return {"answers": answers, "result": result}


def classification_summary(initiative: Initiative) -> dict:
    """For the initiative page: the current (latest confirmed) classification and the
    version in progress, if any. One query."""
    recent = list(classifications().filter(initiative=initiative)[:20])
    current = next((c for c in recent if c.status == ClassificationStatus.CONFIRMED), None)
    latest = recent[0] if recent else None
    in_progress = latest if latest and latest.status != ClassificationStatus.CONFIRMED else None
    return {"classification": current, "classification_latest": in_progress}
