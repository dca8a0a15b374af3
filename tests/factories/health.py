"""Operational health: reports, per-initiative thresholds, and who may push reports."""

from datetime import timedelta

import factory
from django.utils import timezone

from initiatives.health import days
from initiatives.health.services import health_days_add
from initiatives.models import HealthDay, HealthReport, HealthReporterGrant, HealthThresholds
from tests.factories.portfolio import InitiativeFactory, UserFactory


class HealthReportFactory(factory.django.DjangoModelFactory):
    """A report observed now, carrying no metric unless given (`availability=99.9`, ...),
    added to its day's roll-up as a push adds it. Only the report: the initiative's
    `health_status` is kept by the scan and the pushes."""

    class Meta:
        model = HealthReport

    initiative = factory.SubFactory(InitiativeFactory)
    observed_at = factory.LazyFunction(timezone.now)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        report = super()._create(model_class, *args, **kwargs)
        health_days_add(reports=[report])
        return report


class HealthDayFactory(factory.django.DjangoModelFactory):
    """A day's roll-up, made as the portal makes one: from a report observed at noon that
    day (today unless given), carrying the metrics given (`availability=99.9`, ...)."""

    class Meta:
        model = HealthDay

    initiative = factory.SubFactory(InitiativeFactory)
    day = factory.LazyFunction(lambda: days.day_of(timezone.now()))

    @classmethod
    def _create(cls, model_class, *args, initiative, day, **metrics):
        noon = days.start_of(day) + timedelta(hours=12)
        HealthReportFactory(initiative=initiative, observed_at=noon, **metrics)
        return model_class.objects.get(initiative=initiative, day=day)


class HealthThresholdsFactory(factory.django.DjangoModelFactory):
    """Per-initiative overrides; every field left empty keeps the portal's default."""

    class Meta:
        model = HealthThresholds

    initiative = factory.SubFactory(InitiativeFactory)


class HealthReporterGrantFactory(factory.django.DjangoModelFactory):
    """`user` (a machine client) may push reports for `initiative`."""

    class Meta:
        model = HealthReporterGrant

    user = factory.SubFactory(UserFactory, machine_client=True)
    initiative = factory.SubFactory(InitiativeFactory)
