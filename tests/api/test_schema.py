"""The OpenAPI schema: valid, complete (every URL under /api/v1/ and every method), and
honest about errors; and the errors themselves: JSON in the one format, whatever the cause."""

import pytest
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from tests.support.api_endpoints import api_endpoints

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    return response.json()


def operations(schema):
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            if method != "parameters":
                yield path, method.upper(), operation


def test_schema_is_valid_openapi(schema):
    validate_schema(schema)  # raises on any violation of the OpenAPI 3 meta-schema
    assert schema["openapi"].startswith("3.")


def test_schema_lists_every_url_and_method_under_api_v1_and_nothing_else(schema):
    # drf-spectacular writes a `pk` path parameter as `id`.
    from_urls = {
        (e.path.replace("{pk}", "{id}"), method) for e in api_endpoints() for method in e.methods
    }
    in_schema = {
        (path, method) for path, method, _ in operations(schema) if path.startswith("/api/v1/")
    }
    assert len(from_urls) > 30
    assert from_urls - in_schema == set(), "endpoints missing from the schema"
    assert in_schema - from_urls == set(), "schema operations with no endpoint"


def test_every_operation_documents_the_errors_it_can_answer(schema):
    error = "#/components/schemas/Error"
    for path, method, operation in operations(schema):
        responses = operation["responses"]
        where = f"{method} {path}"
        for code in ("401", "403", "429"):
            assert responses[code]["content"]["application/json"]["schema"]["$ref"] == error, where
        if "{" in path:
            assert "404" in responses, where
        if method in ("POST", "PUT", "PATCH"):
            assert "400" in responses, where
        if any(p["in"] == "query" for p in operation.get("parameters", [])):
            assert "400" in responses, where  # a query parameter it cannot read
        if "requestBody" in operation:
            assert "415" in responses, where
    components = schema["components"]["schemas"]
    assert components["Error"]["required"] == ["detail"]
    assert "non_field_errors" in components["ValidationError"]["properties"]


def test_single_objects_are_not_documented_as_lists(schema):
    for path in (
        "/api/v1/initiatives/{initiative_slug}/health/",
        "/api/v1/initiatives/{initiative_slug}/readiness/",
    ):
        body = schema["paths"][path]["get"]["responses"]["200"]["content"]["application/json"]
        assert "$ref" in body["schema"], path


def test_schema_documents_conflicts_and_oversized_pushes(schema):
    case = schema["paths"]["/api/v1/initiatives/{initiative_slug}/business-cases/{version}/"]
    assert "409" in case["put"]["responses"]
    push = schema["paths"]["/api/v1/initiatives/{initiative_slug}/health/reports/"]["post"]
    assert "413" in push["responses"]
    bad_batch = push["responses"]["400"]["content"]["application/json"]["schema"]["$ref"]
    assert bad_batch.endswith("/HealthPushError")


def test_docs_page_is_served_from_the_portals_own_static_files(viewer, as_user):
    page = as_user(viewer).get("/api/docs/").content.decode()
    assert "swagger-ui" in page
    assert "//cdn" not in page
    assert "https://" not in page.split("<body")[0]


# --- One error format ---------------------------------------------------------------------


@pytest.fixture
def client(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    return client


def test_unknown_address_under_the_api_is_a_json_404(client):
    for path in ("/api/v1/nothing-here/", "/api/v1/initiatives/a/b/c/"):
        response = client.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found."}


def test_missing_object_is_a_json_404(client):
    response = client.get("/api/v1/initiatives/no-such-initiative/")
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_method_not_allowed_is_a_json_405(client):
    response = client.delete("/api/v1/flags/")
    assert response.status_code == 405
    assert response.json() == {"detail": 'Method "DELETE" not allowed.'}


def test_unsupported_media_type_is_a_json_415(staff, initiative):
    client = APIClient()
    client.force_authenticate(staff)  # may push health for any initiative
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/health/reports/",
        "observed_at=now",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert set(response.json()) == {"detail"}


def test_malformed_json_is_a_400_with_a_detail(client):
    response = client.post("/api/v1/initiatives/", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"].startswith("JSON parse error")


def test_bad_input_names_each_field(client):
    response = client.post("/api/v1/initiatives/", {"risk_tier": "extreme"}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert set(body) == {"name", "slug", "business_unit", "risk_tier"}
    assert all(isinstance(messages, list) and messages for messages in body.values())


def test_bad_filter_value_names_the_query_parameter(client):
    response = client.get("/api/v1/initiatives/", {"stage": "moon"})
    assert response.status_code == 400
    assert list(response.json()) == ["stage"]


def test_unknown_business_unit_on_the_portfolio_is_a_documented_400(client, schema):
    # Found by the fuzzer (tests/api/test_fuzz.py): answered, but not in the schema.
    response = client.get("/api/v1/portfolio/", {"business_unit": "Nowhere"})
    assert response.status_code == 400
    assert response.json() == {"business_unit": ["No business unit is named “Nowhere”."]}
    documented = schema["paths"]["/api/v1/portfolio/"]["get"]["responses"]
    assert documented["400"]["content"]["application/json"]["schema"]["$ref"] == (
        "#/components/schemas/ValidationError"
    )


def test_page_past_the_end_is_a_json_404(client):
    response = client.get("/api/v1/initiatives/", {"page": 99})
    assert response.status_code == 404
    assert set(response.json()) == {"detail"}


def test_server_error_under_the_api_is_json(viewer, monkeypatch):
    from initiatives.portfolio import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api.selectors, "initiative_list", broken)
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(viewer)
    response = client.get("/api/v1/initiatives/")
    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Server error: it has been logged."}


# --- Found by the fuzzer (tests/api/test_fuzz.py): each was a 500 on PostgreSQL --------------


def test_a_name_with_a_nul_character_is_bad_input_not_a_server_error(client):
    response = client.post(
        "/api/v1/initiatives/",
        {"name": "Claims", "slug": "claims", "business_unit": "Cla\x00ims"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["business_unit"] == ["Null characters are not allowed."]


def test_an_address_that_cannot_be_a_slug_or_an_id_is_a_404(client):
    for path in ("/api/v1/initiatives/a%00b/", "/api/v1/flags/1%00/", "/api/v1/handovers/x/"):
        response = client.get(path)
        assert response.status_code == 404, path
        assert response.json() == {"detail": "Not found."}


def test_an_impossible_moment_is_named_in_the_batch_error(staff, initiative):
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/health/reports/",
        [{"observed_at": "2026-11-26T09:60:00Z"}],
        format="json",
    )
    assert response.status_code == 400
    assert list(response.json()["reports"][0]["errors"]) == ["observed_at"]


def test_a_report_that_is_not_an_object_is_named_with_field_keyed_errors(staff, initiative):
    client = APIClient()
    client.force_authenticate(staff)
    response = client.post(
        f"/api/v1/initiatives/{initiative.slug}/health/reports/", [None, 3], format="json"
    )
    assert response.status_code == 400
    assert [item["errors"] for item in response.json()["reports"]] == [
        {"non_field_errors": ["This field may not be null."]},
        {"non_field_errors": ["Invalid data. Expected a dictionary, but got int."]},
    ]


# --- Lists: the list page's filters and ordering; nothing else's ------------------------------


def test_initiatives_are_ordered_as_on_the_list_page(client):
    from tests.factories import BusinessUnitFactory, InitiativeFactory

    for name, unit in (("Beta", "Claims"), ("Alpha", "Sales"), ("Gamma", "Audit")):
        InitiativeFactory(name=name, business_unit=BusinessUnitFactory(name=unit))
    by_unit = client.get("/api/v1/initiatives/", {"ordering": "-business_unit"}).json()
    assert [i["name"] for i in by_unit["results"]] == ["Alpha", "Beta", "Gamma"]
    refused = client.get("/api/v1/initiatives/", {"ordering": "summary"})
    assert refused.status_code == 400
    assert list(refused.json()) == ["ordering"]


def test_an_initiatives_timeline_ignores_the_list_filters(client, initiative):
    # The list's filters (stage, ...) are not the timeline's: they must not hide it.
    response = client.get(f"/api/v1/initiatives/{initiative.slug}/events/", {"stage": "retired"})
    assert response.status_code == 200


def test_schema_lists_the_v1_endpoints(viewer):
    client = APIClient()
    client.force_authenticate(viewer)
    response = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in (
        "/api/v1/initiatives/",
        "/api/v1/initiatives/{slug}/",
        "/api/v1/initiatives/{slug}/transition/",
        "/api/v1/initiatives/{slug}/handover/",
        "/api/v1/handovers/{id}/accept/",
        "/api/v1/promotion-requests/{id}/review/",
    ):
        assert path in paths


# --- Grouped by resource, with real error examples (the docs page shows both) ----------------


def example(operation: dict, code: str):
    return operation["responses"][code]["content"]["application/json"]["example"]


def shape(body):
    """What a client relies on in an error body: its keys, and lists of strings or a string."""
    if isinstance(body, dict):
        return {key: shape(value) for key, value in body.items()}
    if isinstance(body, list):
        return [shape(item) for item in body[:1]]
    return type(body).__name__


def test_every_operation_is_grouped_under_one_resource_in_the_documented_order(schema):
    order = [tag["name"] for tag in schema["tags"]]
    assert order[:5] == ["Initiatives", "Business cases", "Readiness", "Ownership", "Health"]
    by_tag: dict[str, set[str]] = {}
    for path, method, operation in operations(schema):
        assert len(operation["tags"]) == 1, f"{method} {path}"
        by_tag.setdefault(operation["tags"][0], set()).add(f"{method} {path}")
    assert set(by_tag) == set(order)
    assert "POST /api/v1/initiatives/{initiative_slug}/business-cases/" in by_tag["Business cases"]
    assert "GET /api/v1/initiatives/{initiative_slug}/readiness/" in by_tag["Readiness"]
    assert "POST /api/v1/handovers/{id}/accept/" in by_tag["Ownership"]
    assert "POST /api/v1/initiatives/{slug}/promotion-request/" in by_tag["Ownership"]
    assert "GET /api/v1/flags/" in by_tag["Flags"]
    assert "GET /api/v1/emails/" in by_tag["E-mails"]
    assert "GET /api/v1/portfolio/" in by_tag["Portfolio"]
    assert "POST /api/v1/initiatives/{slug}/transition/" in by_tag["Initiatives"]


def test_every_error_response_has_an_example_of_its_documented_shape(schema):
    from jsonschema import Draft202012Validator

    shared = {"#/components/schemas/Error", "#/components/schemas/ValidationError"}
    own_shapes = set()
    for path, method, operation in operations(schema):
        for code, response in operation["responses"].items():
            if int(code) < 400:
                continue
            media = response["content"]["application/json"]
            if media["schema"].get("$ref") not in shared:
                own_shapes.add(f"{method} {path} {code}")
                if "examples" not in media:
                    continue
                [body] = [example["value"] for example in media["examples"].values()]
            else:
                body = media["example"]
            assert "additionalProp1" not in str(body), f"{method} {path} {code}"
            validator = Draft202012Validator({**media["schema"], **schema})
            assert validator.is_valid(body), f"{method} {path} {code}: {body}"
    # The health push names each bad report of a batch by its index, and a refused stage
    # change lists its unmet conditions: shapes of their own (the latter with an example).
    assert own_shapes == {
        "POST /api/v1/initiatives/{initiative_slug}/health/reports/ 400",
        "POST /api/v1/initiatives/{slug}/transition/ 400",
    }


def test_error_examples_are_what_the_api_really_answers(client, schema):
    paths = schema["paths"]
    create = paths["/api/v1/initiatives/"]["post"]
    listing = paths["/api/v1/initiatives/"]["get"]

    missing_name = client.post("/api/v1/initiatives/", {"slug": "x"}, format="json")
    assert missing_name.status_code == 400
    assert example(create, "400") == {"name": [missing_name.json()["name"][0]]}

    bad_filter = client.get("/api/v1/initiatives/", {"stage": "moon"})
    assert bad_filter.status_code == 400
    [(parameter, messages)] = example(listing, "400").items()
    assert parameter in {p["name"] for p in listing["parameters"] if p["in"] == "query"}
    assert shape({parameter: messages}) == shape({parameter: bad_filter.json()["stage"]})

    not_found = client.get("/api/v1/initiatives/no-such-initiative/")
    assert example(paths["/api/v1/initiatives/{slug}/"]["get"], "404") == not_found.json()

    anonymous = APIClient().get("/api/v1/initiatives/")
    assert anonymous.status_code == 401
    assert example(listing, "401") == anonymous.json()

    text = client.post("/api/v1/initiatives/", "name=x", content_type="text/plain")
    assert text.status_code == 415
    assert example(create, "415") == text.json()

    refused = client.post("/api/v1/emails/1/send-again/")  # the e-mail log is governance's
    assert refused.status_code == 403
    assert shape(example(paths["/api/v1/emails/{id}/send-again/"]["post"], "403")) == shape(
        refused.json()
    )
