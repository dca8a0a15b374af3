"""The cross-walk (README "Frameworks"): which framework items a readiness milestone gives
evidence for, so one piece of evidence serves the NIST AI RMF and ISO/IEC 42001 at once.

It is data, shipped by a data migration from `evidence/crosswalk.json` and edited in the
admin; each item and link names the source it came from (its name, version and date).
Links point at milestones, so a milestone's evidence (its record) is the item's evidence.
"""

from django.db import models

from initiatives.core.choices import Framework
from initiatives.readiness.models import ReadinessMilestone


class CrosswalkSource(models.Model):
    """Where a set of items or links comes from: a framework's text, or a mapping."""

    key = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=200)
    version = models.CharField(max_length=40, blank=True)
    published = models.DateField(help_text="The date of the text or mapping this comes from.")
    url = models.URLField(max_length=500, blank=True)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} {self.version}".strip()


class FrameworkItem(models.Model):
    """A NIST AI RMF subcategory or an ISO/IEC 42001 Annex A control."""

    framework = models.CharField(max_length=20, choices=Framework.choices)
    code = models.CharField(max_length=20, help_text='As the framework writes it: "MEASURE 2.7".')
    title = models.TextField(max_length=1000)
    order = models.PositiveIntegerField(default=0)
    source = models.ForeignKey(CrosswalkSource, on_delete=models.PROTECT, related_name="items")
    milestones = models.ManyToManyField(
        ReadinessMilestone, through="CrosswalkLink", related_name="framework_items", blank=True
    )

    class Meta:
        ordering = ["framework", "order", "code"]
        constraints = [
            models.UniqueConstraint(
                fields=["framework", "code"],
                name="framework_item_code_unique",
                violation_error_message="This framework already has an item with this code.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.title[:80]}"


class CrosswalkLink(models.Model):
    """This milestone, when done, is evidence for this framework item."""

    milestone = models.ForeignKey(
        ReadinessMilestone, on_delete=models.CASCADE, related_name="crosswalk_links"
    )
    item = models.ForeignKey(FrameworkItem, on_delete=models.CASCADE, related_name="links")
    source = models.ForeignKey(CrosswalkSource, on_delete=models.PROTECT, related_name="links")

    class Meta:
        ordering = ["item", "milestone"]
        constraints = [
            models.UniqueConstraint(
                fields=["milestone", "item"],
                name="crosswalk_link_unique",
                violation_error_message="This milestone is already mapped to this item.",
            )
        ]

    def __str__(self) -> str:
        return f"{self.milestone.key} → {self.item.code}"
