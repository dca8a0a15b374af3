from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from initiatives.choices import BusinessCaseStatus, MilestoneStatus, Stage
from initiatives.models import (
    BusinessCase,
    BusinessUnit,
    Initiative,
    MilestoneRecord,
    ReadinessTemplate,
    Team,
    TeamMembership,
)
from initiatives.permissions import GOVERNANCE_GROUP


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"person{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.django.Password("correct horse battery staple")

    @factory.post_generation
    def governance(self, create, extracted, **kwargs):
        if extracted:
            group, _ = Group.objects.get_or_create(name=GOVERNANCE_GROUP)
            self.groups.add(group)


class BusinessUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BusinessUnit
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Unit {n}")


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Team {n}")


class InitiativeFactory(factory.django.DjangoModelFactory):
    """An initiative written straight to the database (for arranging tests, not for
    exercising services)."""

    class Meta:
        model = Initiative
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Initiative {n}")
    slug = factory.Sequence(lambda n: f"initiative-{n}")
    summary = "Does something useful."
    business_unit = factory.SubFactory(BusinessUnitFactory)
    stage = Stage.IDEA
    stage_entered_at = factory.LazyFunction(timezone.now)

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        for user in extracted or ():
            TeamMembership.objects.create(initiative=self, user=user)


class BusinessCaseFactory(factory.django.DjangoModelFactory):
    """A business case version; `status` as given (approved needs no review here)."""

    class Meta:
        model = BusinessCase

    initiative = factory.SubFactory(InitiativeFactory)
    version = factory.Sequence(lambda n: n + 1)
    status = BusinessCaseStatus.SUBMITTED
    currency = "EUR"
    revenue_protected = Decimal("100000.00")
    costs_reduced = Decimal("50000.00")
    build_cost = Decimal("80000.00")
    infrastructure_cost = Decimal("12000.00")
    created_by = factory.SubFactory(UserFactory)
    reviewed_at = factory.LazyFunction(timezone.now)


def complete_readiness(initiative, status=MilestoneStatus.DONE) -> int:
    """Mark every active milestone of the initiative's template done (with evidence)."""
    template = initiative.readiness_template or ReadinessTemplate.objects.get(is_default=True)
    records = [
        MilestoneRecord(
            initiative=initiative,
            milestone=milestone,
            status=status,
            evidence_note="Checked in the test.",
            justification="Waived in the test." if status == MilestoneStatus.WAIVED else "",
            check_mode="manual" if status == MilestoneStatus.DONE else "",
        )
        for milestone in template.milestones.filter(active=True)
    ]
    return len(MilestoneRecord.objects.bulk_create(records))
