"""EU AI Act classification (README "Regulation"): the questionnaire, which is data an
administrator edits, and each initiative's versioned, reviewed classification records."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from simple_history.models import HistoricalRecords

from initiatives.core.choices import (
    ClassificationStatus,
    QuestionKind,
    RegulatoryCategory,
    RegulatoryRole,
)
from initiatives.portfolio.models import Initiative
from initiatives.regulation.derivation import validate_effect


class Question(models.Model):
    """One question of the questionnaire. Its options carry the machine `effect` the
    derivation reads; the question only says what is asked and where the law says it."""

    key = models.SlugField(max_length=50, unique=True, help_text="Stable name used by the API.")
    section = models.CharField(max_length=100, help_text="The heading the form groups it under.")
    text = models.CharField(max_length=400)
    help_text = models.TextField(blank=True, max_length=2000)
    article = models.CharField(max_length=60, help_text="Where the law says it, e.g. Art. 5(1)(c).")
    kind = models.CharField(max_length=10, choices=QuestionKind.choices)
    order = models.PositiveIntegerField(default=0)
    active = models.BooleanField(
        default=True, help_text="Inactive questions are no longer asked; old answers stay."
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["order", "key"]

    def __str__(self) -> str:
        return f"{self.key}: {self.text}"


class Option(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="options")
    key = models.SlugField(max_length=50)
    label = models.CharField(max_length=300)
    effect = models.CharField(
        max_length=60,
        blank=True,
        validators=[validate_effect],
        help_text="What choosing it means to the derivation, e.g. prohibited:5(1)(c), "
        "annex_iii:4(a), transparency:50(1), role:provider; empty for none.",
    )
    order = models.PositiveIntegerField(default=0)

    history = HistoricalRecords()

    class Meta:
        ordering = ["question", "order", "key"]
        constraints = [
            models.UniqueConstraint(fields=["question", "key"], name="option_key_unique")
        ]

    def __str__(self) -> str:
        return self.label


class Classification(models.Model):
    """One version of an initiative's classification: the answers as given, and what was
    derived from them when submitted (stored, so a later edit of the questionnaire does not
    change a record). A submitted version is never edited; a re-classification is a new one."""

    initiative = models.ForeignKey(
        Initiative, on_delete=models.CASCADE, related_name="classifications"
    )
    version = models.PositiveIntegerField()
    status = models.CharField(
        max_length=12, choices=ClassificationStatus.choices, default=ClassificationStatus.DRAFT
    )
    # {question key: [option key, ...]}
    answers = models.JSONField(default=dict)

    category = models.CharField(max_length=12, choices=RegulatoryCategory.choices)
    role = models.CharField(max_length=10, choices=RegulatoryRole.choices)
    high_risk_basis = models.CharField(max_length=10, blank=True)
    annex_point = models.CharField(max_length=10, blank=True)
    transparency = models.JSONField(default=list, blank=True)
    gpai_provider = models.BooleanField(default=False)
    fundamental_rights_assessment = models.BooleanField(default=False)
    # [[article, sentence], ...]: each answer that led to the result
    reasons = models.JSONField(default=list)

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True, max_length=4000)

    history = HistoricalRecords()

    class Meta:
        ordering = ["initiative", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["initiative", "version"], name="classification_version_unique"
            ),
            models.UniqueConstraint(
                fields=["initiative"],
                condition=Q(
                    status__in=[ClassificationStatus.DRAFT, ClassificationStatus.SUBMITTED]
                ),
                name="classification_one_open_per_initiative",
                violation_error_message="This initiative already has a classification in progress.",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ClassificationStatus.values),
                name="classification_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(category__in=RegulatoryCategory.values),
                name="classification_category_valid",
            ),
        ]
        indexes = [
            # The queue (submitted, oldest first), the flag and the portfolio counts
            # (each initiative's latest confirmed version).
            models.Index(fields=["status", "submitted_at"], name="classification_queue_idx"),
            models.Index(
                fields=["initiative", "status", "-version"], name="classification_current_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.initiative} classification v{self.version}"

    def get_absolute_url(self) -> str:
        return reverse(
            "classification-version", kwargs={"slug": self.initiative.slug, "version": self.version}
        )

    @property
    def reason_pairs(self) -> list[tuple[str, str]]:
        return [(article, sentence) for article, sentence in self.reasons]

    @property
    def outcome(self):
        """The stored result as the obligations read it (`regulation.outcome.Outcome`)."""
        from initiatives.regulation.outcome import Outcome

        return Outcome(
            category=self.category,
            role=self.role,
            high_risk_basis=self.high_risk_basis or None,
            annex_point=self.annex_point,
            transparency=tuple(self.transparency),
            gpai_provider=self.gpai_provider,
            fundamental_rights_assessment=self.fundamental_rights_assessment,
            reasons=tuple((a, s) for a, s in self.reasons),
        )
