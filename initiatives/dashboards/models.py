"""The dashboards' counters (README "Dashboards at volume"): what each initiative counts for,
and the counts themselves, so that the portfolio and the governance queue read a few
hundred rows whatever the size of the portfolio.

Both tables are written only by PostgreSQL, by the trigger functions that
`dashboards.standings` installs after every `migrate`: every write to an initiative, its
flags, its stage transitions or its classifications, by any path (a service, the scan's bulk
statements, the admin, a test's fixture), updates them in the same transaction. They are
read by `dashboards.standings`, and `check_portal` compares them with a recount.
"""

from django.db import models
from django.db.models import Q


class Standing(models.Model):
    """One initiative as the dashboards count it: the keys of the counts it is in
    (`standings.KEYS`), and, when it needs attention, its place in that list. No foreign key
    constraint: a deleted initiative's row is removed by the trigger that takes it out of
    the counts, not by Django's cascade (which would remove it before its counts)."""

    initiative = models.OneToOneField(
        "initiatives.Initiative",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        primary_key=True,
        related_name="standing",
    )
    business_unit_id = models.BigIntegerField()
    keys = models.TextField(help_text="The count keys, separated by spaces.")
    # "Needs attention", most urgent first (`dashboards.summary.needing_attention`): the
    # urgency (None: it does not need attention), the oldest open flag, then the initiative's
    # own time in its stage and name, copied here so one index gives the order.
    urgency = models.SmallIntegerField(null=True)
    flagged_since = models.DateTimeField(null=True)
    stage_entered_at = models.DateTimeField()
    name = models.CharField(max_length=200)
    # The governance queue's production systems failing (0), silent (1) or degraded (2;
    # None: neither, or not in production), and when its open health flag was raised.
    health_rank = models.SmallIntegerField(null=True)
    health_since = models.DateTimeField(null=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["urgency", "flagged_since", "stage_entered_at", "name", "initiative"],
                condition=Q(urgency__isnull=False),
                name="standing_attention",
            ),
            models.Index(
                fields=[
                    "business_unit_id",
                    "urgency",
                    "flagged_since",
                    "stage_entered_at",
                    "name",
                    "initiative",
                ],
                condition=Q(urgency__isnull=False),
                name="standing_unit_attention",
            ),
            models.Index(
                fields=["health_rank", "health_since", "name", "initiative"],
                condition=Q(health_rank__isnull=False),
                name="standing_unhealthy",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name}: {self.keys}"


class StandingCount(models.Model):
    """A change to one count of one business unit: rows are only added (so writers never
    wait for each other on a counter) and summed when read; `standings.compact` folds them
    into one row per count, every few minutes."""

    business_unit_id = models.BigIntegerField()
    key = models.CharField(max_length=64)
    n = models.BigIntegerField()

    class Meta:
        indexes = [models.Index(fields=["business_unit_id", "key"])]

    def __str__(self) -> str:
        return f"{self.key} {self.n:+d} (business unit {self.business_unit_id})"
