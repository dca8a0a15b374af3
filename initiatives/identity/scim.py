"""SCIM 2.0 provisioning (RFC 7643/7644) on django-scim2: the identity provider creates,
updates and deactivates people, and keeps its groups, at /scim/v2/.

What the library leaves to the portal is here: bearer tokens (`ScimAuthCheck`), people
matched by their database id and the provider's externalId, `active` as Entra ID sends it
(the string "False"), deactivation (PATCH or PUT `active: false`, DELETE) through the
leaver path (`services.person_deactivate`, never a delete), and the roles the provider's
groups give (`scim_roles_sync`).
"""

import hashlib
import re
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django_scim import exceptions
from django_scim.adapters import SCIMGroup, SCIMUser
from django_scim.middleware import SCIMAuthCheckMiddleware

from initiatives.core.permissions import GOVERNANCE_GROUP
from initiatives.identity.models import ScimAccount, ScimGroup, ScimToken
from initiatives.identity.scim_filters import scim_attributes_selected
from initiatives.identity.services import person_deactivate

SCIM_DEACTIVATION_REASON = "Deactivated by the identity provider (SCIM)."


# --- Tokens ---------------------------------------------------------------------------------


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def scim_token_create(*, name: str) -> str:
    """Create a bearer token for the identity provider named `name`; return the token, which
    is never stored (only its hash) and so is shown once."""
    token = secrets.token_urlsafe(32)
    ScimToken.objects.create(name=name.strip()[:100], key_hash=_token_hash(token))
    return token


def scim_token_revoke(*, token: ScimToken) -> None:
    """Revoke `token`: from now on it answers 401. Revoking twice keeps the first time."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])


def scim_token_valid(authorization: str) -> ScimToken | None:
    """The unrevoked token an `Authorization: Bearer <token>` header carries, or None."""
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return ScimToken.objects.filter(
        key_hash=_token_hash(token.strip()), revoked_at__isnull=True
    ).first()


class ScimAuthCheck(SCIMAuthCheckMiddleware):
    """Every SCIM view answers only to a valid bearer token: a signed-in session, a password
    or an API token of a person are not enough (401 with WWW-Authenticate: Bearer)."""

    def process_request(self, request: HttpRequest) -> HttpResponse | None:
        token = scim_token_valid(request.headers.get("Authorization", ""))
        if token is None:
            response = HttpResponse(status=401)
            response["WWW-Authenticate"] = 'Bearer realm="scim"'
            return response
        request.scim_token = token
        return None


# --- Roles from the provider's groups -------------------------------------------------------


def scim_roles_sync(*, people: list[AbstractBaseUser]) -> None:
    """Governance membership and staff status of `people` follow the provider's groups they
    are members of (OIDC_GOVERNANCE_GROUPS, OIDC_ADMIN_GROUPS), added and taken away; a
    setting left empty leaves that role to the admin, and a superuser's staff status alone."""
    governance_names = set(settings.OIDC_GOVERNANCE_GROUPS)
    admin_names = set(settings.OIDC_ADMIN_GROUPS)
    if not people or not (governance_names or admin_names):
        return
    User = get_user_model()
    pks = [person.pk for person in people]
    member_of: dict[int, set[str]] = {pk: set() for pk in pks}
    for pk, name in ScimGroup.members.through.objects.filter(
        **{f"{User._meta.model_name}_id__in": pks}
    ).values_list(f"{User._meta.model_name}_id", "scimgroup__name"):
        member_of[pk].add(name)
    governance = None
    if governance_names:
        governance, _ = Group.objects.get_or_create(name=GOVERNANCE_GROUP)
    for person in User.objects.filter(pk__in=pks):
        groups = member_of[person.pk]
        if admin_names and not person.is_superuser:
            staff = bool(groups & admin_names)
            if person.is_staff != staff:
                person.is_staff = staff
                person.save(update_fields=["is_staff"])
        if governance is not None:
            if groups & governance_names:
                person.groups.add(governance)
            else:
                person.groups.remove(governance)


# --- Users ----------------------------------------------------------------------------------


def _as_bool(value, field: str) -> bool:
    """`active` as a boolean, or as the strings Entra ID sends ("False", "True")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise exceptions.BadRequestError(f'"{field}" should be a boolean.', scim_type="invalidValue")


class ScimPerson(SCIMUser):
    """A person as SCIM sees them. Their id is the database id; the password, if the
    provider sends one, is ignored: people provisioned here sign in through the provider."""

    id_field = "id"

    @classmethod
    def resource_type_dict(cls, request=None) -> dict:
        # The endpoint is relative to the SCIM base URL (RFC 7643 section 6), not the site.
        return {**super().resource_type_dict(request), "endpoint": "/Users"}

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._external_id: str | None = None
        self._deactivate = False

    @property
    def external_id(self) -> str:
        if self._external_id is not None:
            return self._external_id
        if not self.obj.pk:
            return ""
        try:
            return self.obj.scim_account.external_id
        except ScimAccount.DoesNotExist:
            return ""

    @property
    def groups(self) -> list[dict]:
        if not self.obj.pk:
            return []
        return [
            {"value": str(g.pk), "display": g.name, "type": "direct"}
            for g in self.obj.scim_groups.all()
        ]

    def to_dict(self) -> dict:
        # The library reads the externalId from the user object; the portal keeps it apart.
        self.obj.scim_external_id = self.external_id
        d = super().to_dict()
        # Only what is kept is returned: no empty values, one e-mail address.
        d["name"] = {k: v for k, v in d["name"].items() if v and k != "formatted"}
        d["emails"] = [{"value": self.obj.email}] if self.obj.email else []
        for key in ("externalId", "name", "emails"):
            if not d.get(key):
                d.pop(key, None)
        return scim_attributes_selected(d, self._request)

    def validate_dict(self, d: dict) -> None:
        if "active" in d:
            d["active"] = _as_bool(d["active"], "active")
        if not isinstance(d.get("userName"), str) or not d["userName"].strip():
            raise exceptions.BadRequestError('"userName" is required.', scim_type="invalidValue")

    def from_dict(self, d: dict) -> None:
        d = {key: value for key, value in d.items() if key != "password"}
        active = d.pop("active", None)
        was_active = self.obj.is_active if self.obj.pk else True
        super().from_dict(d)
        self._external_id = d.get("externalId") or ""
        if not self.obj.pk:
            self.obj.set_unusable_password()
            self.obj.is_active = active if active is not None else True
        elif active is not None:
            # Reactivation is the provider's to decide; deactivation goes the leaver path.
            self.obj.is_active = was_active if active is False else True
            self._deactivate = active is False and was_active

    def _taken(self) -> bool:
        User = get_user_model()
        return (
            User.objects.filter(username__iexact=self.obj.username).exclude(pk=self.obj.pk).exists()
        )

    @transaction.atomic
    def save(self) -> None:
        if self._taken():
            raise exceptions.IntegrityError(f'userName "{self.obj.username}" is taken.')
        self.obj.save()
        if self._external_id is not None:
            ScimAccount.objects.update_or_create(
                person=self.obj, defaults={"external_id": self._external_id}
            )
        if self._deactivate:
            self._deactivate = False
            person_deactivate(person=self.obj, by=None, reason=SCIM_DEACTIVATION_REASON)

    def delete(self) -> None:
        """DELETE deactivates: people are never deleted, their name stays on the history."""
        person_deactivate(person=self.obj, by=None, reason=SCIM_DEACTIVATION_REASON)

    def _default_validate_op(self, path, value, operation) -> None:
        return None

    def handle_remove(self, path, value, operation) -> None:
        """PATCH remove: the externalId, the name or the e-mail address."""
        key = path.first_path[0]
        if key == "externalId":
            self._external_id = ""
        elif key == "name":
            self.obj.first_name = self.obj.last_name = ""
        elif key == "emails":
            self.obj.email = ""
        else:
            raise exceptions.BadRequestError(f"{key} cannot be removed.", scim_type="mutability")
        self.save()

    def handle_add(self, path, value, operation) -> None:
        self.handle_replace(path, value, operation)

    def handle_replace(self, path, value, operation) -> None:
        """PATCH replace (and add), with a path or with a value holding the attributes, as
        Entra ID and Okta send them."""
        changes = value if path is None and isinstance(value, dict) else {path: value}
        for attr_path, new in changes.items():
            if attr_path is None:
                raise exceptions.BadRequestError("No attribute to replace.", scim_type="noTarget")
            key = attr_path.first_path
            if key == ("active", None, None):
                if _as_bool(new, "active"):
                    self.obj.is_active = True
                elif self.obj.is_active:
                    self._deactivate = True
            elif key == ("externalId", None, None):
                self._external_id = str(new or "")
            elif key in self.ATTR_MAP:
                setattr(self.obj, self.ATTR_MAP[key], new or "")
            elif key == ("emails", None, None) or key[0] == "emails":
                self.parse_emails(new if isinstance(new, list) else [{"value": new}])
            elif key[0] == "name" and isinstance(new, dict):
                self.obj.first_name = new.get("givenName", self.obj.first_name) or ""
                self.obj.last_name = new.get("familyName", self.obj.last_name) or ""
            elif key[0] in ("displayName", "name", "title", "preferredLanguage", "locale"):
                continue  # derived from the name, or not kept
            else:
                raise exceptions.NotImplementedError(f"Replacing {key[0]} is not supported.")
        self.save()


# --- Groups ---------------------------------------------------------------------------------


class ScimProviderGroup(SCIMGroup):
    """A group at the provider; changing its members (or its name) changes their roles."""

    id_field = "id"

    @classmethod
    def resource_type_dict(cls, request=None) -> dict:
        return {**super().resource_type_dict(request), "endpoint": "/Groups"}

    def __init__(self, obj, request=None):
        super().__init__(obj, request)
        self._affected: set[int] = set()
        self._members: list[int] | None = None

    @property
    def members(self) -> list[dict]:
        if not self.obj.pk:
            return []
        return [
            {"value": str(p.pk), "$ref": ScimPerson(p, self.request).location, "type": "User"}
            for p in self.obj.members.all()
        ]

    def to_dict(self) -> dict:
        d = super().to_dict()
        if not d.get("externalId"):
            d.pop("externalId", None)
        return scim_attributes_selected(d, self._request)

    def _member_ids(self, values) -> list[int]:
        try:
            ids = [int(member["value"]) for member in values or []]
        except (KeyError, TypeError, ValueError):
            raise exceptions.BadRequestError("members must name people by id.") from None
        if get_user_model().objects.filter(pk__in=ids).count() != len(set(ids)):
            raise exceptions.BadRequestError("A member is no person of the portal.")
        return ids

    def validate_dict(self, d: dict) -> None:
        if not isinstance(d.get("displayName"), str) or not d["displayName"].strip():
            raise exceptions.BadRequestError('"displayName" is required.', scim_type="invalidValue")

    def from_dict(self, d: dict) -> None:
        super().from_dict(d)
        # POST and PUT give the whole group: members left out are no members (RFC 7644 3.5.1).
        self._members = self._member_ids(d.get("members"))

    @transaction.atomic
    def save(self) -> None:
        if self.obj.pk:
            self._affected |= set(self.obj.members.values_list("pk", flat=True))
        self.obj.save()
        if self._members is not None:
            self.obj.members.set(self._members)
            self._affected |= set(self._members)
            self._members = None
        self._sync()

    def _sync(self) -> None:
        if self._affected:
            scim_roles_sync(people=list(get_user_model().objects.filter(pk__in=self._affected)))
            self._affected = set()

    @transaction.atomic
    def delete(self) -> None:
        self._affected |= set(self.obj.members.values_list("pk", flat=True))
        self.obj.delete()
        self._sync()

    def handle_add(self, path, value, operation) -> None:
        if path is not None and path.first_path == ("members", None, None):
            ids = self._member_ids(value)
            self.obj.members.add(*ids)
            self._affected |= set(ids)
            self._sync()
        else:
            self.handle_replace(path, value, operation)

    def handle_remove(self, path, value, operation) -> None:
        if path is not None and path.first_path[0] == "externalId":
            self.obj.scim_external_id = ""
            self.save()
            return
        if path is None or path.first_path[0] != "members":
            raise exceptions.BadRequestError(
                "Only members and externalId can be removed.", scim_type="mutability"
            )
        # Entra ID: path 'members[value eq "12"]'; Okta: path 'members' with a value.
        match = re.search(r'value eq "([^"]+)"', operation.get("path") or "")
        if match:
            ids = self._member_ids([{"value": match.group(1)}])
        elif value:
            ids = self._member_ids(value)
        else:
            ids = list(self.obj.members.values_list("pk", flat=True))
        self.obj.members.remove(*ids)
        self._affected |= set(ids)
        self._sync()

    def handle_replace(self, path, value, operation) -> None:
        changes = value if path is None and isinstance(value, dict) else {path: value}
        for attr_path, new in changes.items():
            key = attr_path if isinstance(attr_path, str) else attr_path.first_path[0]
            if key == "displayName":
                self.obj.name = str(new)
            elif key == "externalId":
                self.obj.scim_external_id = str(new or "")
            elif key == "members":
                self._members = self._member_ids(new)
            else:
                raise exceptions.NotImplementedError(f"Replacing {key} is not supported.")
        self.save()

    def parse_path_and_values(self, path, value) -> list:
        if not path and isinstance(value, dict):
            return [(None, value)]
        return super().parse_path_and_values(path, value)
