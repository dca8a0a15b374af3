"""People and the portfolio: users, business units, teams, initiatives, their members,
links, stage transitions and timeline events."""

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from initiatives.core.choices import EventKind, Stage
from initiatives.core.permissions import GOVERNANCE_GROUP, MACHINE_CLIENTS_GROUP
from initiatives.models import (
    BusinessUnit,
    Initiative,
    InitiativeEvent,
    InitiativeLink,
    StageTransition,
    Team,
    TeamMembership,
)


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

    @factory.post_generation
    def machine_client(self, create, extracted, **kwargs):
        """`machine_client=True`: a monitoring system that may push health reports."""
        if extracted:
            group, _ = Group.objects.get_or_create(name=MACHINE_CLIENTS_GROUP)
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
            TeamMembershipFactory(initiative=self, user=user)


class TeamMembershipFactory(factory.django.DjangoModelFactory):
    """`user` is on the initiative's team (a contributor)."""

    class Meta:
        model = TeamMembership

    initiative = factory.SubFactory(InitiativeFactory)
    user = factory.SubFactory(UserFactory)


class InitiativeLinkFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = InitiativeLink

    initiative = factory.SubFactory(InitiativeFactory)
    title = factory.Sequence(lambda n: f"Design document {n}")
    url = factory.Sequence(lambda n: f"https://wiki.example.com/designs/{n}")


class StageTransitionFactory(factory.django.DjangoModelFactory):
    """A recorded change of stage, idea → proof of concept unless told otherwise. Only the
    record: the initiative's own `stage` is not changed."""

    class Meta:
        model = StageTransition

    initiative = factory.SubFactory(InitiativeFactory)
    from_stage = Stage.IDEA
    to_stage = Stage.POC


class InitiativeEventFactory(factory.django.DjangoModelFactory):
    """A timeline entry written directly (services write them with `initiative_event_create`)."""

    class Meta:
        model = InitiativeEvent

    initiative = factory.SubFactory(InitiativeFactory)
    kind = EventKind.EDITED
    params = factory.LazyFunction(lambda: {"fields": ["summary"]})
