from django.db import models


class TaskOutcomeCount(models.Model):
    """How many times a Celery task ended one way, counted by whichever worker saw it.

    Kept in the database rather than in each worker process's memory: workers are many
    processes on many hosts, come and go, and none of them serves /metrics.
    """

    task = models.CharField(max_length=200)
    outcome = models.CharField(max_length=16)
    count = models.PositiveBigIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["task", "outcome"], name="task_outcome_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.task} {self.outcome}: {self.count}"
