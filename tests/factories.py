import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.utils import timezone

from initiatives.choices import Stage
from initiatives.models import BusinessUnit, Initiative, Team, TeamMembership
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
