"""The leaver path: what happens, at once, when a person is deactivated (they left).

`person_deactivate` is the one way a person is deactivated, whoever asks: an administrator
(the admin's user form or its "Deactivate" action), the identity provider over SCIM, or a
script. A plain `user.save()` that turns `is_active` off is caught too (`signals.py`) and
runs the same service, so no path skips it. Only a queryset `update()` bypasses it: the
portal never deactivates people that way.
"""

import logging
from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q

from initiatives.accounts.models import ApiTokenRevocation
from initiatives.accounts.services import api_tokens_revoke_all
from initiatives.core import enqueue
from initiatives.core.choices import HandoverStatus
from initiatives.core.permissions import GOVERNANCE_GROUP
from initiatives.identity.sessions import sessions_end
from initiatives.ownership.services import handovers_cancel_for_leaver
from initiatives.portfolio.models import Initiative

logger = logging.getLogger(__name__)

# Set on the instance being saved when this save is the deactivation itself (by the service,
# or by a save the hook then hands to the service), so the hook and the service never both run.
SAVING_DEACTIVATION = "_crossing_saving_deactivation"


@dataclass
class Departure:
    """What deactivating one person did."""

    person_id: int
    sessions_ended: int = 0
    tokens_revoked: int = 0
    handovers_cancelled: list[int] = field(default_factory=list)
    # Every initiative they owned, backed up, or were being handed; judged by the ownerless
    # rule on commit (`initiatives.watch.scan.ownerless_flag_now`).
    initiative_ids: list[int] = field(default_factory=list)


@transaction.atomic
def person_deactivate(
    *, person: AbstractBaseUser, by: AbstractBaseUser | None, reason: str
) -> Departure | None:
    """Deactivate `person` (never delete: their name stays on every timeline and history
    row) and, in the same transaction, end their sessions, revoke their API tokens and
    cancel the handovers waiting for them, telling whoever proposed each. On commit a task
    judges every initiative they owned or backed up by the ownerless rule at once, opening
    the flag and e-mailing the sponsor and governance within a minute, not at the next
    hourly scan.

    `by` is who deactivated them (None: the identity provider or a script); `reason` says
    why, on each cancelled handover. Returns None, doing nothing, if they were deactivated
    already.
    """
    User = get_user_model()
    # The person's row locked: two deactivations of one person (SCIM retrying while an
    # administrator clicks) run one after the other, and the second finds nothing to do.
    active = (
        User.objects.select_for_update().filter(pk=person.pk).values_list("is_active", flat=True)[0]
    )
    if active:
        person.is_active = False
        setattr(person, SAVING_DEACTIVATION, True)
        try:
            person.save(update_fields=["is_active"])
        finally:
            setattr(person, SAVING_DEACTIVATION, False)
    elif not getattr(person, SAVING_DEACTIVATION, False):
        return None
    departure = Departure(person_id=person.pk)
    # Read before the handovers are cancelled, which give those systems back to their
    # previous owner: each is judged again, with the rest, once this commits.
    departure.initiative_ids = sorted(
        Initiative.objects.filter(
            Q(production_owner=person)
            | Q(backup_owner=person)
            | Q(handovers__to_owner=person, handovers__status=HandoverStatus.PENDING)
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    departure.sessions_ended = sessions_end(person=person)
    departure.tokens_revoked = api_tokens_revoke_all(
        user=person, reason=ApiTokenRevocation.Reason.DEACTIVATED
    )
    departure.handovers_cancelled = [
        h.pk for h in handovers_cancel_for_leaver(person=person, actor=by, reason=reason)
    ]
    if departure.initiative_ids:
        transaction.on_commit(lambda: _flag_ownerless_now(departure.initiative_ids))
    logger.info(
        "Deactivated user %s (%s): %d session(s) ended, %d token(s) revoked, %d handover(s) "
        "cancelled, %d initiative(s) to judge for ownership.",
        person.pk,
        reason,
        departure.sessions_ended,
        departure.tokens_revoked,
        len(departure.handovers_cancelled),
        len(departure.initiative_ids),
    )
    return departure


def _flag_ownerless_now(initiative_ids: list[int]) -> None:
    """Queue the ownerless judgement. A broker that is down never undoes a deactivation:
    the next scan (hourly) raises the same flags from the same rule."""
    try:
        enqueue.task("flag_ownerless_now").apply_async(args=(initiative_ids,), retry=False)
    except Exception:
        logger.warning(
            "Could not queue the ownerless check of initiatives %s; the next scan will.",
            initiative_ids,
        )


# --- Sign-in through the provider -----------------------------------------------------------


def username_from_claims(claims: dict) -> str:
    """The portal username the provider's claims give (OIDC_USERNAME_CLAIM); "" when the
    claim is missing or is no valid username (then nobody signs in)."""
    value = claims.get(settings.OIDC_USERNAME_CLAIM)
    if not isinstance(value, str) or not value.strip():
        return ""
    field = get_user_model()._meta.get_field("username")
    try:
        field.run_validators(value.strip())
    except ValidationError:
        return ""
    return value.strip()


def provider_groups(claims: dict) -> set[str]:
    """The person's groups at the provider (OIDC_GROUPS_CLAIM): a list, or one name."""
    value = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(value, str):
        value = [value]
    return {str(group) for group in value}


@transaction.atomic
def person_from_provider(*, person: AbstractBaseUser | None, claims: dict) -> AbstractBaseUser:
    """Create (`person` None) or update the person the provider vouches for with `claims`
    (an ID token verified, and the userinfo): username, e-mail and name from the claims;
    governance membership and staff status from their groups when OIDC_GOVERNANCE_GROUPS
    and OIDC_ADMIN_GROUPS are set, added and removed on every sign-in. A superuser's staff
    status is left alone: the break-glass administrator is managed in the portal.

    A person created here has no usable password: they sign in through the provider.
    """
    User = get_user_model()
    username = username_from_claims(claims)
    if not username:
        raise ValidationError({"username": f"The {settings.OIDC_USERNAME_CLAIM} claim is missing."})
    if person is None:
        person = User(username=username)
        person.set_unusable_password()
    given, family = claims.get("given_name"), claims.get("family_name")
    if not (given or family) and isinstance(claims.get("name"), str):
        given, _, family = claims["name"].strip().partition(" ")
    name_fields = {"first_name": given, "last_name": family, "email": claims.get("email")}
    for field_name, value in name_fields.items():
        if isinstance(value, str) and value.strip():
            limit = User._meta.get_field(field_name).max_length
            setattr(person, field_name, value.strip()[:limit])
    groups = provider_groups(claims)
    if settings.OIDC_ADMIN_GROUPS and not person.is_superuser:
        person.is_staff = bool(groups & set(settings.OIDC_ADMIN_GROUPS))
    person.save()
    if settings.OIDC_GOVERNANCE_GROUPS:
        governance, _ = Group.objects.get_or_create(name=GOVERNANCE_GROUP)
        if groups & set(settings.OIDC_GOVERNANCE_GROUPS):
            person.groups.add(governance)
        else:
            person.groups.remove(governance)
    return person
