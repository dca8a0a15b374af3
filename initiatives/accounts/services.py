"""API tokens: made on the profile page or by `create_api_token`, revoked on the profile page.

knox stores only a hash of each token, so a leaked database holds no usable token; the key
itself is returned once, to be shown once. Every token expires PORTAL_API_TOKEN_DAYS after it
is made (knox's own expiry: an expired token is refused and deleted), and a person's tokens
are all revoked when their password changes or their account is deactivated
(`initiatives/signals.py`), each revocation recorded.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from initiatives.accounts.models import ApiTokenInfo, ApiTokenRevocation

Reason = ApiTokenRevocation.Reason

logger = logging.getLogger(__name__)

# A token's last use is written at most once per this interval, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[AuthToken, str]:
    """A new token for `user`, labelled `name`, expiring in PORTAL_API_TOKEN_DAYS. Returns
    the stored token and its key; the key is not stored and cannot be shown again."""
    if not user.is_active:
        raise PermissionDenied(f"'{user.get_username()}' is deactivated; no token was created.")
    info = ApiTokenInfo(name=name.strip())
    info.full_clean(exclude=["token"])
    instance, key = AuthToken.objects.create(user=user, expiry=api_token_lifetime())
    info.token = instance
    info.save()
    return instance, key


def api_token_lifetime() -> timedelta:
    return timedelta(days=settings.PORTAL_API_TOKEN_DAYS)


@transaction.atomic
def api_token_revoke(*, user: AbstractBaseUser, token_key: str) -> None:
    """Delete `user`'s token whose public id is `token_key`. Only the owner revokes here;
    staff revoke anyone's in the admin."""
    if not _revoke(AuthToken.objects.filter(user=user, token_key=token_key), Reason.BY_OWNER):
        raise ValidationError("No such token (revoked already?).")


@transaction.atomic
def api_tokens_revoke_all(*, user: AbstractBaseUser, reason: str) -> int:
    """Revoke every token `user` has, recording each with `reason` (an
    ApiTokenRevocation.Reason). Returns how many there were."""
    revoked = _revoke(AuthToken.objects.filter(user=user), reason)
    if revoked:
        logger.info(
            "Revoked %d API token(s) of user %s: %s.", revoked, user.pk, Reason(reason).label
        )
    return revoked


def _revoke(tokens, reason: str) -> int:
    """Record, then delete, `tokens` (locked, so a token is recorded once however many
    revoke it at the same moment). Returns how many."""
    rows = list(tokens.select_for_update(of=("self",)).select_related("info"))
    if not rows:
        return 0
    ApiTokenRevocation.objects.bulk_create(
        [
            ApiTokenRevocation(
                user_id=token.user_id,
                token_key=token.token_key,
                name=_name(token),
                created=token.created,
                reason=reason,
            )
            for token in rows
        ]
    )
    AuthToken.objects.filter(pk__in=[token.pk for token in rows]).delete()
    return len(rows)


def _name(token: AuthToken) -> str:
    try:
        return token.info.name
    except ApiTokenInfo.DoesNotExist:  # made in the admin and never used
        return ""


def api_token_touch(*, token: AuthToken) -> None:
    """Record that `token` was just used, writing at most once per LAST_USED_RESOLUTION.

    The cache answers "written recently?" without a query, so most requests cost nothing
    here; the write is one upsert (tokens made in the admin have no row until first used).
    With a cache shared by every process (CACHE_URL) that is one write per token per
    interval; with per-process memory, one per process.
    """
    seconds = int(LAST_USED_RESOLUTION.total_seconds())
    if not cache.add(f"api-token-used:{token.digest}", 1, timeout=seconds):
        return
    ApiTokenInfo.objects.bulk_create(
        [ApiTokenInfo(token_id=token.digest, last_used_at=timezone.now())],
        update_conflicts=True,
        update_fields=["last_used_at"],
        unique_fields=["token"],
    )
