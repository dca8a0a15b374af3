"""SCIM 2.0 provisioning by the identity provider at /scim/v2/: bearer tokens, people created,
found, replaced, patched as Entra ID and Okta send it, deactivated (never deleted) through
the leaver path, and roles from the provider's groups."""

import json
from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from rest_framework.test import APIClient

from initiatives.core.choices import HandoverStatus
from initiatives.core.permissions import GOVERNANCE_GROUP
from initiatives.identity.models import ScimToken
from initiatives.identity.scim import scim_token_create, scim_token_revoke
from initiatives.ownership import services as ownership
from initiatives.ownership.models import OwnershipHandover
from tests.factories import AuthTokenFactory, UserFactory
from tests.support.clients import client_for

pytestmark = pytest.mark.django_db

SCIM = "application/scim+json"
USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"
PATCH_OP = "urn:ietf:params:scim:api:messages:2.0:PatchOp"


class Provider:
    """The identity provider calling /scim/v2/ with its bearer token."""

    def __init__(self, token: str):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {token}"}

    def _send(self, method: str, path: str, body=None):
        kwargs = {"headers": self.headers}
        if body is not None:
            kwargs.update(data=json.dumps(body), content_type=SCIM)
        return getattr(self.client, method)(f"/scim/v2/{path}", **kwargs)

    def get(self, path, **params):
        return self.client.get(f"/scim/v2/{path}", params, headers=self.headers)

    def post(self, path, body):
        return self._send("post", path, body)

    def put(self, path, body):
        return self._send("put", path, body)

    def patch(self, path, operations):
        return self._send("patch", path, {"schemas": [PATCH_OP], "Operations": operations})

    def delete(self, path):
        return self._send("delete", path)


@pytest.fixture
def provider() -> Provider:
    return Provider(scim_token_create(name="Entra ID"))


def new_user(provider: Provider, username="ada@example.com", external_id="e-1", **extra) -> dict:
    body = {
        "schemas": [USER_SCHEMA],
        "userName": username,
        "externalId": external_id,
        "name": {"givenName": "Ada", "familyName": "Lovelace"},
        "emails": [{"value": username, "type": "work", "primary": True}],
        "active": True,
        **extra,
    }
    response = provider.post("Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def person(username="ada@example.com"):
    return get_user_model().objects.get(username=username)


# --- The token ------------------------------------------------------------------------------


def test_the_command_prints_the_token_alone_on_its_last_line_and_keeps_only_its_hash():
    out = StringIO()
    call_command("create_scim_token", "Okta", stdout=out)
    token = out.getvalue().strip().splitlines()[-1]
    assert " " not in token
    assert len(token) >= 32
    (stored,) = ScimToken.objects.all()
    assert stored.name == "Okta"
    assert token not in stored.key_hash
    assert Provider(token).get("ServiceProviderConfig").status_code == 200


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer not-a-token", "Basic YWRtaW46YWRtaW4=", "Bearer "],
    ids=["none", "wrong", "basic", "empty"],
)
def test_the_scim_api_refuses_a_request_without_a_valid_token(authorization):
    scim_token_create(name="Entra ID")
    headers = {"Authorization": authorization} if authorization else {}
    response = Client().get("/scim/v2/Users", headers=headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")


def test_a_revoked_token_answers_401():
    token = scim_token_create(name="Entra ID")
    assert Provider(token).get("Users").status_code == 200
    scim_token_revoke(token=ScimToken.objects.get())
    assert Provider(token).get("Users").status_code == 401


def test_a_signed_in_administrator_or_a_persons_api_token_is_not_a_scim_token(staff):
    assert client_for(staff).get("/scim/v2/Users").status_code == 401
    api_token = AuthTokenFactory(user=staff)
    response = Client().get("/scim/v2/Users", headers={"Authorization": f"Token {api_token.key}"})
    assert response.status_code == 401
    response = Client().get("/scim/v2/Users", headers={"Authorization": f"Bearer {api_token.key}"})
    assert response.status_code == 401


def test_the_admin_lists_the_scim_tokens_and_revokes_them(staff):
    scim_token_create(name="Entra ID")
    admin = client_for(UserFactory(is_staff=True, is_superuser=True))
    page = admin.get("/admin/initiatives/scimtoken/")
    assert page.status_code == 200
    assert "Entra ID" in page.content.decode()
    token = ScimToken.objects.get()
    admin.post(
        "/admin/initiatives/scimtoken/",
        {"action": "revoke", "_selected_action": [token.pk]},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None


# --- Users ----------------------------------------------------------------------------------


def test_the_provider_creates_a_person_who_signs_in_through_it(provider):
    created = new_user(provider, password="ignored-Passw0rd!")
    ada = person()
    assert created["id"] == str(ada.pk)
    assert created["externalId"] == "e-1"
    assert created["active"] is True
    assert (ada.first_name, ada.last_name, ada.email) == ("Ada", "Lovelace", "ada@example.com")
    assert not ada.has_usable_password()


def test_a_username_already_taken_is_a_409(provider):
    new_user(provider)
    response = provider.post(
        "Users", {"schemas": [USER_SCHEMA], "userName": "ADA@example.com", "externalId": "x"}
    )
    assert response.status_code == 409
    assert get_user_model().objects.filter(username__iexact="ada@example.com").count() == 1


def test_the_provider_reads_a_person(provider):
    created = new_user(provider)
    response = provider.get(f"Users/{created['id']}")
    assert response.status_code == 200
    body = response.json()
    assert body["userName"] == "ada@example.com"
    assert body["name"]["familyName"] == "Lovelace"
    assert provider.get("Users/999999").status_code == 404


@pytest.mark.parametrize(
    "query",
    ['userName eq "ada@example.com"', 'userName eq "ADA@EXAMPLE.COM"', 'externalId eq "e-1"'],
)
def test_the_provider_finds_a_person_by_username_or_external_id(provider, query):
    new_user(provider)
    new_user(provider, username="grace@example.com", external_id="e-2")
    body = provider.get("Users", filter=query).json()
    assert body["totalResults"] == 1
    assert body["Resources"][0]["userName"] == "ada@example.com"


def test_a_filter_matching_nobody_is_an_empty_list_and_an_unknown_one_a_400(provider):
    new_user(provider)
    assert provider.get("Users", filter='userName eq "nobody"').json()["totalResults"] == 0
    assert provider.get("Users", filter='title co "x"').status_code == 400


def test_the_provider_replaces_a_person(provider):
    created = new_user(provider)
    response = provider.put(
        f"Users/{created['id']}",
        {
            "schemas": [USER_SCHEMA],
            "userName": "ada.king@example.com",
            "externalId": "e-1",
            "name": {"givenName": "Ada", "familyName": "King"},
            "emails": [{"value": "ada.king@example.com", "primary": True}],
            "active": True,
        },
    )
    assert response.status_code == 200, response.content
    ada = person("ada.king@example.com")
    assert (ada.last_name, ada.email, ada.is_active) == ("King", "ada.king@example.com", True)


def test_okta_style_patch_replaces_attributes_without_a_path(provider):
    created = new_user(provider)
    response = provider.patch(
        f"Users/{created['id']}",
        [{"op": "replace", "value": {"name.familyName": "King", "externalId": "okta-9"}}],
    )
    assert response.status_code == 200, response.content
    ada = person()
    assert ada.last_name == "King"
    assert ada.scim_account.external_id == "okta-9"


def test_listing_people_and_groups_takes_the_same_queries_for_two_or_twenty(
    provider, django_assert_max_num_queries
):
    ids = [new_user(provider, f"p{i}@example.com", f"e-{i}")["id"] for i in range(20)]
    new_group(provider, "Everyone", ids)
    # The token, the page, and one query per relation (account, groups; members).
    with django_assert_max_num_queries(5):
        body = provider.get("Users", count=50).json()
    assert body["totalResults"] == 20
    assert body["Resources"][0]["groups"][0]["display"] == "Everyone"
    with django_assert_max_num_queries(5):
        body = provider.get("Users", filter='userName eq "p3@example.com"').json()
    assert body["Resources"][0]["externalId"] == "e-3"
    with django_assert_max_num_queries(5):
        groups = provider.get("Groups").json()
    assert len(groups["Resources"][0]["members"]) == 20


# --- Deactivation goes the leaver path -------------------------------------------------------


@pytest.fixture
def leaver_with_a_pending_handover(provider, initiative, contributor):
    """A provisioned person with an API token and a handover waiting for them."""
    created = new_user(provider)
    ada = person()
    token = AuthTokenFactory(user=ada)
    handover = ownership.handover_start(initiative=initiative, actor=contributor, to_owner=ada)
    return created, ada, token, handover


def assert_left_through_the_leaver_path(ada, token, handover):
    ada.refresh_from_db()  # the row stays: never deleted
    assert ada.is_active is False
    response = APIClient().get("/api/v1/initiatives/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 401
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CANCELLED
    assert handover.decision_note == "Deactivated by the identity provider (SCIM)."


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},  # Entra ID
        {"op": "replace", "value": {"active": False}},  # Okta
        {"op": "replace", "path": "active", "value": False},
    ],
    ids=["entra-string", "okta-no-path", "boolean"],
)
def test_patch_active_false_deactivates_through_the_leaver_path(
    provider, leaver_with_a_pending_handover, operation
):
    created, ada, token, handover = leaver_with_a_pending_handover
    response = provider.patch(f"Users/{created['id']}", [operation])
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    assert_left_through_the_leaver_path(ada, token, handover)


def test_put_active_false_deactivates_through_the_leaver_path(
    provider, leaver_with_a_pending_handover
):
    created, ada, token, handover = leaver_with_a_pending_handover
    body = {k: v for k, v in created.items() if k not in ("id", "meta", "groups")}
    response = provider.put(f"Users/{created['id']}", {**body, "active": "False"})
    assert response.status_code == 200, response.content
    assert_left_through_the_leaver_path(ada, token, handover)


def test_delete_deactivates_and_never_deletes(provider, leaver_with_a_pending_handover):
    created, ada, token, handover = leaver_with_a_pending_handover
    assert provider.delete(f"Users/{created['id']}").status_code == 204
    assert_left_through_the_leaver_path(ada, token, handover)
    assert provider.get(f"Users/{created['id']}").json()["active"] is False
    # The provider deleting again changes nothing.
    assert provider.delete(f"Users/{created['id']}").status_code == 204
    assert OwnershipHandover.objects.filter(status=HandoverStatus.CANCELLED).count() == 1


def test_a_deactivated_person_signed_in_is_signed_out(provider):
    created = new_user(provider)
    browser = client_for(person())
    assert browser.get("/").status_code == 200
    provider.patch(
        f"Users/{created['id']}", [{"op": "Replace", "path": "active", "value": "False"}]
    )
    assert browser.get("/").status_code == 302


def test_the_provider_may_reactivate_a_person(provider):
    created = new_user(provider)
    provider.patch(
        f"Users/{created['id']}", [{"op": "replace", "path": "active", "value": "False"}]
    )
    response = provider.patch(
        f"Users/{created['id']}", [{"op": "replace", "path": "active", "value": "True"}]
    )
    assert response.json()["active"] is True
    assert person().is_active is True


def test_active_that_is_no_boolean_is_a_400_and_changes_nothing(provider):
    created = new_user(provider)
    response = provider.patch(
        f"Users/{created['id']}", [{"op": "replace", "path": "active", "value": "perhaps"}]
    )
    assert response.status_code == 400
    assert "active" in response.json()["detail"]
    assert person().is_active is True


# --- Groups ---------------------------------------------------------------------------------


@pytest.fixture
def mapped_groups(settings):
    settings.OIDC_GOVERNANCE_GROUPS = ["AI Governance"]
    settings.OIDC_ADMIN_GROUPS = ["Portal Admins"]


def new_group(provider: Provider, name: str, members=()) -> dict:
    response = provider.post(
        "Groups",
        {
            "schemas": [GROUP_SCHEMA],
            "displayName": name,
            "members": [{"value": m} for m in members],
        },
    )
    assert response.status_code == 201, response.content
    return response.json()


def is_governance(user) -> bool:
    return user.groups.filter(name=GOVERNANCE_GROUP).exists()


def test_members_of_the_governance_and_admin_groups_get_those_roles(provider, mapped_groups):
    ada = new_user(provider)
    grace = new_user(provider, username="grace@example.com", external_id="e-2")
    new_group(provider, "AI Governance", [ada["id"]])
    new_group(provider, "Portal Admins", [grace["id"]])
    new_group(provider, "Everyone", [ada["id"], grace["id"]])
    assert is_governance(person())
    assert not person().is_staff
    assert person("grace@example.com").is_staff
    assert not is_governance(person("grace@example.com"))


def test_adding_and_removing_a_member_as_entra_id_sends_it_gives_and_takes_the_role(
    provider, mapped_groups
):
    ada = new_user(provider)
    group = new_group(provider, "AI Governance")
    assert not is_governance(person())
    response = provider.patch(
        f"Groups/{group['id']}",
        [{"op": "Add", "path": "members", "value": [{"value": ada["id"]}]}],
    )
    assert response.status_code == 200, response.content
    assert is_governance(person())
    response = provider.patch(
        f"Groups/{group['id']}",
        [{"op": "Remove", "path": f'members[value eq "{ada["id"]}"]'}],
    )
    assert response.status_code == 200, response.content
    assert not is_governance(person())


def test_okta_removing_a_member_with_a_value_takes_the_staff_role(provider, mapped_groups):
    ada = new_user(provider)
    group = new_group(provider, "Portal Admins", [ada["id"]])
    assert person().is_staff
    provider.patch(
        f"Groups/{group['id']}",
        [{"op": "remove", "path": "members", "value": [{"value": ada["id"]}]}],
    )
    assert not person().is_staff


def test_replacing_or_deleting_a_mapped_group_takes_the_role_away(provider, mapped_groups):
    ada = new_user(provider)
    group = new_group(provider, "AI Governance", [ada["id"]])
    assert is_governance(person())
    provider.put(
        f"Groups/{group['id']}", {"schemas": [GROUP_SCHEMA], "displayName": "AI Governance"}
    )
    assert not is_governance(person())
    provider.patch(
        f"Groups/{group['id']}",
        [{"op": "add", "path": "members", "value": [{"value": ada["id"]}]}],
    )
    assert is_governance(person())
    assert provider.delete(f"Groups/{group['id']}").status_code == 204
    assert not is_governance(person())


def test_renaming_a_group_to_a_mapped_name_gives_its_members_the_role(provider, mapped_groups):
    ada = new_user(provider)
    group = new_group(provider, "Reviewers", [ada["id"]])
    assert not is_governance(person())
    provider.patch(
        f"Groups/{group['id']}", [{"op": "replace", "value": {"displayName": "AI Governance"}}]
    )
    assert is_governance(person())


def test_the_provider_finds_a_group_by_name(provider):
    new_group(provider, "AI Governance")
    body = provider.get("Groups", filter='displayName eq "AI Governance"').json()
    assert body["totalResults"] == 1


def test_a_superusers_staff_status_is_not_the_providers_to_take(provider, mapped_groups):
    root = UserFactory(username="root", is_staff=True, is_superuser=True)
    group = new_group(provider, "Portal Admins", [str(root.pk)])
    provider.patch(f"Groups/{group['id']}", [{"op": "remove", "path": "members"}])
    root.refresh_from_db()
    assert root.is_staff


# --- Discovery ------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["ServiceProviderConfig", "Schemas", "ResourceTypes"])
def test_the_provider_discovers_what_the_portal_supports(provider, path):
    response = provider.get(path)
    assert response.status_code == 200
    assert response["Content-Type"].startswith(SCIM)


def test_the_service_provider_config_names_bearer_tokens(provider):
    config = provider.get("ServiceProviderConfig").json()
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    assert config["patch"]["supported"] is True
