"""Throttling: per client, for anonymous and signed-in callers, with health pushes counted
apart so a production system's batches are never refused because of people's reads."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient
from rest_framework.throttling import SimpleRateThrottle

from initiatives.api.throttling import ThrottleFirstMixin
from initiatives.models import HealthReport
from tests.factories import HealthReporterGrantFactory, InitiativeFactory
from tests.support.api_endpoints import api_endpoints
from tests.support.clients import api_client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def rates(monkeypatch):
    """Small rates for the test (DRF reads the rates once, into the throttle class)."""

    def set_rates(**rates):
        monkeypatch.setattr(SimpleRateThrottle, "THROTTLE_RATES", rates)

    set_rates(anon="3/minute", user="4/minute", health_push="5/minute")
    return set_rates


def statuses(client, path, n, **kwargs) -> list[int]:
    return [client.get(path, **kwargs).status_code for _ in range(n)]


def assert_throttled(response):
    assert response.status_code == 429
    assert set(response.json()) == {"detail"}
    assert response.json()["detail"].startswith("Request was throttled.")
    assert int(response["Retry-After"]) > 0


def test_every_api_view_throttles_before_it_checks_permissions():
    for endpoint in api_endpoints():
        assert issubclass(endpoint.view, ThrottleFirstMixin), endpoint.name


def test_signed_in_client_is_throttled_in_json(rates, viewer):
    client = api_client_for(viewer)
    assert statuses(client, "/api/v1/initiatives/", 4) == [200] * 4
    assert_throttled(client.get("/api/v1/initiatives/"))


def test_each_client_has_its_own_allowance(rates, viewer, contributor):
    first, second = api_client_for(viewer), api_client_for(contributor)
    assert statuses(first, "/api/v1/flags/", 5) == [200] * 4 + [429]
    assert statuses(second, "/api/v1/flags/", 4) == [200] * 4


def test_anonymous_callers_are_throttled_by_address_even_though_refused(rates, db):
    client = APIClient()
    assert statuses(client, "/api/v1/initiatives/", 3, REMOTE_ADDR="10.0.0.1") == [401] * 3
    assert_throttled(client.get("/api/v1/initiatives/", REMOTE_ADDR="10.0.0.1"))
    assert client.get("/api/v1/initiatives/", REMOTE_ADDR="10.0.0.2").status_code == 401


def test_guessing_tokens_is_throttled(rates, db):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION="Token " + "0" * 64)
    assert statuses(client, "/api/v1/initiatives/", 3) == [401] * 3
    assert_throttled(client.get("/api/v1/initiatives/"))


def test_health_pushes_have_their_own_allowance(rates, staff):
    initiative = InitiativeFactory(slug="fraud-scoring")
    HealthReporterGrantFactory(user=staff, initiative=initiative)
    client = api_client_for(staff)
    # Reads use up the signed-in allowance...
    assert statuses(client, "/api/v1/initiatives/", 4) == [200] * 4
    assert client.get("/api/v1/initiatives/").status_code == 429
    # ...and pushes still go through, up to their own rate.
    pushed = [
        client.post(
            f"/api/v1/initiatives/{initiative.slug}/health/reports/",
            [{"observed_at": f"2026-11-2{i}T08:00:00Z", "availability": 99.9}],
            format="json",
        ).status_code
        for i in range(5)
    ]
    assert pushed == [201] * 5
    refused = client.post(
        f"/api/v1/initiatives/{initiative.slug}/health/reports/",
        [{"observed_at": "2026-11-25T09:00:00Z"}],
        format="json",
    )
    assert_throttled(refused)
    assert HealthReport.objects.count() == 5  # nothing of the refused batch was stored


def test_a_rate_set_to_off_disables_that_throttle(rates, viewer):
    rates(anon="3/minute", user=None, health_push=None)
    client = api_client_for(viewer)
    assert statuses(client, "/api/v1/flags/", 10) == [200] * 10


def test_throttle_counts_live_in_the_configured_cache(rates, viewer):
    client = api_client_for(viewer)
    assert statuses(client, "/api/v1/flags/", 4) == [200] * 4
    cache.clear()  # another process sharing the cache would see the same counts
    assert client.get("/api/v1/flags/").status_code == 200


def test_a_token_that_is_not_utf8_is_a_401_the_throttle_counts(rates, db):
    # WSGI hands headers over as latin-1 text: these are the bytes e9 e9 61 62 63.
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION="Token \xe9\xe9abc")
    refused = [client.get("/api/v1/initiatives/") for _ in range(3)]
    assert [r.status_code for r in refused] == [401] * 3
    assert refused[0].json() == {"detail": "Invalid token."}
    assert refused[0]["WWW-Authenticate"].startswith("Token")
    assert_throttled(client.get("/api/v1/initiatives/"))
