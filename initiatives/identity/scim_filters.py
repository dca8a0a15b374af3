"""The filters identity providers send to SCIM before creating a resource, as ORM queries,
and where SCIM resources live. Apart from `scim.py` because django-scim2's adapters read
these classes (settings) while they are being defined."""

import copy
import re

from django.conf import settings
from django.contrib.auth import get_user_model

from initiatives.identity.models import ScimGroup

_EQ = re.compile(r'^\s*(\w+)\s+eq\s+"((?:[^"\\]|\\.)*)"\s*$', re.IGNORECASE)


class _EqFilter:
    """`attr eq "value"`, the filters identity providers send before creating a resource
    (Entra ID and Okta: userName, externalId; displayName for groups). Anything else is a
    400 the provider can read."""

    fields: dict[str, str] = {}
    attr_map: dict = {}

    @classmethod
    def model(cls):
        raise NotImplementedError

    @classmethod
    def search(cls, filter_query: str, request=None):
        match = _EQ.match(filter_query or "")
        field = match and cls.fields.get(match.group(1).lower())
        if not field:
            raise ValueError(f'Only {", ".join(cls.fields)} eq "..." are supported.')
        value = match.group(2).replace('\\"', '"')
        return scim_listed(cls.model().objects.filter(**{field: value}).order_by("pk"))


class ScimPersonFilter(_EqFilter):
    fields = {
        "username": "username__iexact",
        "externalid": "scim_account__external_id",
        "id": "pk",
    }
    attr_map = {
        ("userName", None, None): "username",
        ("name", "familyName", None): "last_name",
        ("familyName", None, None): "last_name",
        ("name", "givenName", None): "first_name",
        ("givenName", None, None): "first_name",
        ("active", None, None): "is_active",
    }

    @classmethod
    def model(cls):
        return get_user_model()


class ScimGroupFilter(_EqFilter):
    fields = {"displayname": "name", "externalid": "scim_external_id", "id": "pk"}

    @classmethod
    def model(cls):
        return ScimGroup


def scim_base_location(request=None, *args, **kwargs) -> str:
    """Resource locations are absolute on the address the provider called."""
    if request is not None:
        return f"{request.scheme}://{request.get_host()}"
    return settings.PORTAL_BASE_URL


# What the portal keeps of a person and a group; the Schemas endpoint publishes only these,
# so a provider (and the RFC checker) never sends attributes that would be dropped.
_KEPT = {
    "urn:ietf:params:scim:schemas:core:2.0:User": {
        "userName": None,
        "name": {"familyName", "givenName"},
        "displayName": None,
        "active": None,
        "emails": {"value"},
        "groups": {"value", "$ref", "display", "type"},
    },
    "urn:ietf:params:scim:schemas:core:2.0:Group": {
        "displayName": None,
        "members": {"value", "$ref", "type"},
    },
}


def scim_schemas() -> list[dict]:
    """django-scim2's schemas, cut to what the portal keeps; no enterprise extension."""
    from django_scim.schemas import ALL

    schemas = []
    for schema in ALL:
        if "extension" in schema["id"]:
            continue
        kept = _KEPT.get(schema["id"])
        if kept is not None:
            schema = copy.deepcopy(schema)
            schema["attributes"] = [a for a in schema["attributes"] if a["name"] in kept]
            for attribute in schema["attributes"]:
                subs = kept[attribute["name"]]
                if subs is not None:
                    attribute["subAttributes"] = [
                        s for s in attribute.get("subAttributes", []) if s["name"] in subs
                    ]
                if attribute["name"] == "displayName" and "Group" in schema["id"]:
                    attribute["required"] = True  # the roles follow the group's name
                if attribute["name"] == "displayName" and "User" in schema["id"]:
                    # Derived from the name: "given family", else the username.
                    attribute["mutability"] = "readOnly"
        schemas.append(schema)
    return schemas


ALWAYS_RETURNED = {"id", "schemas", "meta"}


def scim_attributes_selected(resource: dict, request) -> dict:
    """`resource` cut by the request's `attributes` or `excludedAttributes` (RFC 7644
    section 3.9); id, schemas and meta are always returned."""
    if request is None or request.method != "GET":
        return resource
    wanted = request.GET.get("attributes")
    unwanted = request.GET.get("excludedAttributes")

    def names(value: str) -> set[str]:
        return {part.strip().split(".")[0].split(":")[-1].lower() for part in value.split(",")}

    if wanted:
        keep = names(wanted)
        return {k: v for k, v in resource.items() if k in ALWAYS_RETURNED or k.lower() in keep}
    if unwanted:
        drop = names(unwanted) - {name.lower() for name in ALWAYS_RETURNED}
        return {k: v for k, v in resource.items() if k.lower() not in drop}
    return resource


def scim_listed(queryset):
    """People and groups with what their SCIM form shows, in a fixed number of queries."""
    if queryset.model is ScimGroup:
        return queryset.prefetch_related("members")
    return queryset.select_related("scim_account").prefetch_related("scim_groups")


def scim_queryset_post_processor_getter(model):
    """For django-scim2's GET lists (GET_QUERYSET_POST_PROCESSOR_GETTER)."""

    def post_process(request, queryset, *args, **kwargs):
        return scim_listed(queryset)

    return post_process
