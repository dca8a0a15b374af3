"""The portal's own operations: how many times each Celery task ended each way."""

import factory

from ops.models import TaskOutcomeCount


class TaskOutcomeCountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaskOutcomeCount
        django_get_or_create = ("task", "outcome")

    task = "initiatives.tasks.scan_portfolio"
    outcome = "succeeded"
    count = 1
