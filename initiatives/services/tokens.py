"""API tokens: made on the profile page or by `create_api_token`, revoked on the profile page.

knox stores only a hash of each token, so a leaked database holds no usable token; the key
itself is returned once, to be shown once.
"""

from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser
from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from knox.models import AuthToken

from ..models import ApiTokenInfo

# A token's last use is written at most once per this interval, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)


@transaction.atomic
def api_token_create(*, user: AbstractBaseUser, name: str = "") -> tuple[AuthToken, str]:
    """A new token for `user`, labelled `name`. Returns the stored token and its key; the
    key is not stored and cannot be shown again."""
    if not user.is_active:
        raise PermissionDenied(f"'{user.get_username()}' is deactivated; no token was created.")
    info = ApiTokenInfo(name=name.strip())
    info.full_clean(exclude=["token"])
    instance, key = AuthToken.objects.create(user=user)
    info.token = instance
    info.save()
    return instance, key


def api_token_revoke(*, user: AbstractBaseUser, token_key: str) -> None:
    """Delete `user`'s token whose public id is `token_key`. Only the owner revokes here;
    staff revoke anyone's in the admin."""
    deleted, _ = AuthToken.objects.filter(user=user, token_key=token_key).delete()
    if not deleted:
        raise ValidationError("No such token (revoked already?).")


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
