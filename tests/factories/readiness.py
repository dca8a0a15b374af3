"""Readiness: templates, their milestones, and what an initiative recorded against them."""

import datetime

import factory

from initiatives.core.choices import MilestoneStatus, ObligationScope, Stage
from initiatives.models import (
    ApplicableObligation,
    ApplicationDate,
    MilestoneRecord,
    Obligation,
    ReadinessMilestone,
    ReadinessTemplate,
)
from tests.factories.portfolio import InitiativeFactory


class ReadinessTemplateFactory(factory.django.DjangoModelFactory):
    """A template that is not the default (the migrations seed the default one)."""

    class Meta:
        model = ReadinessTemplate
        django_get_or_create = ("key",)

    key = factory.Sequence(lambda n: f"template-{n}")
    name = factory.Sequence(lambda n: f"Template {n}")


class ReadinessMilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ReadinessMilestone

    template = factory.SubFactory(ReadinessTemplateFactory)
    key = factory.Sequence(lambda n: f"milestone-{n}")
    domain = "Operations"
    title = factory.Sequence(lambda n: f"Checkable statement {n}.")
    done_when = "A link to the evidence."
    required_for = Stage.PILOT


class MilestoneRecordFactory(factory.django.DjangoModelFactory):
    """What an initiative recorded against a milestone; not started unless told otherwise.
    Pass `milestone=` one of the default template's to arrange the usual checklist."""

    class Meta:
        model = MilestoneRecord

    initiative = factory.SubFactory(InitiativeFactory)
    milestone = factory.SubFactory(ReadinessMilestoneFactory)
    status = MilestoneStatus.NOT_STARTED


class ApplicationDateFactory(factory.django.DjangoModelFactory):
    """A regime's date (the migrations ship the law's five; this makes another)."""

    class Meta:
        model = ApplicationDate
        django_get_or_create = ("regime",)

    regime = factory.Sequence(lambda n: f"regime_{n}")
    label = factory.Sequence(lambda n: f"Regime {n}")
    applies_from = datetime.date(2026, 8, 2)


class ObligationFactory(factory.django.DjangoModelFactory):
    """An obligation binding every AI system, on a milestone of its own, from its own date."""

    class Meta:
        model = Obligation

    milestone = factory.SubFactory(
        ReadinessMilestoneFactory, domain="EU AI Act", required_for=Stage.PRODUCTION
    )
    article = factory.Sequence(lambda n: f"Art. {100 + n}")
    applies_to = ObligationScope.EVERYONE
    application_date = factory.SubFactory(ApplicationDateFactory)


class ApplicableObligationFactory(factory.django.DjangoModelFactory):
    """An obligation that applies to an initiative (as `obligations_apply` would record)."""

    class Meta:
        model = ApplicableObligation

    initiative = factory.SubFactory(InitiativeFactory)
    milestone = factory.LazyAttribute(lambda o: ObligationFactory().milestone)
    application_date = factory.LazyAttribute(lambda o: o.milestone.obligation.application_date)


def complete_readiness(initiative, status=MilestoneStatus.DONE, required_for=None) -> int:
    """Mark every active milestone of the initiative's template done (with evidence), or only
    those required for `required_for` (e.g. `Stage.PILOT`: what the pilot gate asks)."""
    template = initiative.readiness_template or ReadinessTemplate.objects.get(is_default=True)
    milestones = template.milestones.filter(active=True)
    if required_for is not None:
        milestones = milestones.filter(required_for=required_for)
    records = [
        MilestoneRecord(
            initiative=initiative,
            milestone=milestone,
            status=status,
            evidence_note="Checked in the test.",
            justification="Waived in the test." if status == MilestoneStatus.WAIVED else "",
            check_mode="manual" if status == MilestoneStatus.DONE else "",
        )
        for milestone in milestones
    ]
    return len(MilestoneRecord.objects.bulk_create(records))
