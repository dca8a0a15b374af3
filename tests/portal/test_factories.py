"""The factories in tests/factories/: one for every model, each making a valid row."""

import factory
import pytest
from django.apps import apps
from django.test import Client
from knox.models import AuthToken

from tests import factories

FACTORIES = [
    getattr(factories, name)
    for name in factories.__all__
    if isinstance(getattr(factories, name), type)
    and issubclass(getattr(factories, name), factory.django.DjangoModelFactory)
]


# Written only by PostgreSQL's triggers (dashboards/standings.py): a row made by hand would
# be a count of nothing. Tests make them by writing what they count.
WRITTEN_BY_THE_DATABASE = {"Standing", "StandingCount"}


def test_every_model_of_the_portal_and_its_api_tokens_has_a_factory():
    models = {
        model
        for app in ("initiatives", "ops")
        for model in apps.get_app_config(app).get_models()
        if not model.__name__.startswith("Historical")
        and model.__name__ not in WRITTEN_BY_THE_DATABASE
    }
    made = {f._meta.model for f in FACTORIES}
    assert sorted(m.__name__ for m in models | {AuthToken} if m not in made) == []


@pytest.mark.django_db
@pytest.mark.parametrize("made_by", FACTORIES, ids=lambda f: f.__name__)
def test_a_factory_with_its_defaults_makes_a_row_that_passes_full_clean(made_by):
    row = made_by()
    row.full_clean()
    row.refresh_from_db()


@pytest.mark.django_db
def test_a_token_from_the_factory_signs_in_to_the_api():
    token = factories.AuthTokenFactory()
    response = Client().get("/api/v1/initiatives/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
