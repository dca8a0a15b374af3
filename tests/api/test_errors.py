"""What every endpoint answers to a request it cannot take: a body nested too deeply or too
large, a query parameter it cannot read, an unknown object; in the product's words, as JSON."""

import pytest
from rest_framework.test import APIClient

from tests.factories import HealthReporterGrantFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "path",
    ["/api/v1/initiatives/", "/api/v1/initiatives/fraud-scoring/health/reports/"],
)
def test_a_deeply_nested_body_is_a_400_not_a_server_error(initiative, viewer, path):
    """Found by review: 2,000 nested brackets (8 KB) made the JSON decoder recurse out."""

    HealthReporterGrantFactory(user=viewer, initiative=initiative)  # may push
    client = APIClient()
    client.force_authenticate(viewer)
    body = "[" * 2000 + "]" * 2000
    response = client.post(path, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert "nested too deeply" in response.json()["detail"]


def test_a_body_over_the_upload_limit_is_a_json_413(viewer, settings):
    """Found by review: 3 MB posted to the API came back as Django's HTML 400 page."""
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    client = APIClient()
    client.force_authenticate(viewer)
    body = '{"name": "' + "x" * 2000 + '"}'
    response = client.post("/api/v1/initiatives/", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json() == {"detail": "The request body is larger than the 1,000 bytes allowed."}


def test_errors_speak_the_products_language_not_the_codes(viewer):
    """Found by review: 'No OwnershipHandover matches the given query.' and 'Object with
    name=Nope does not exist.'"""
    client = APIClient()
    client.force_authenticate(viewer)
    assert client.get("/api/v1/handovers/999999/").json() == {"detail": "Not found."}
    created = client.post(
        "/api/v1/initiatives/",
        {"name": "X", "slug": "x-unit", "business_unit": "Nope"},
        format="json",
    )
    assert created.status_code == 400
    assert created.json()["business_unit"] == ["No business unit is named “Nope”."]


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/flags/?ordering=bogus", "ordering"),
        ("/api/v1/handovers/?ordering=-nope", "ordering"),
        ("/api/v1/flags/?open=maybe", "open"),
        ("/api/v1/initiatives/?ownership_pending=maybe", "ownership_pending"),
        ("/api/v1/initiatives/?page_size=0", "page_size"),
        ("/api/v1/flags/?page_size=abc", "page_size"),
    ],
)
def test_a_query_parameter_the_api_cannot_read_is_a_field_error(viewer, url, field):
    """Found by review: these were silently ignored, so a typo listed everything."""
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()


def test_good_values_of_those_parameters_still_work(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    for url in (
        "/api/v1/flags/?ordering=-opened_at&open=true",
        "/api/v1/initiatives/?ownership_pending=false&page_size=500",
        "/api/v1/handovers/?ordering=requested_at",
    ):
        assert client.get(url).status_code == 200, url
