"""A person's API tokens stop working when their password changes (and when they are
deactivated: the leaver path, `initiatives/identity/`, revokes them with the rest).

One hook on the user model catches every path that changes a password (the admin's forms, a
`set_password` anywhere, `changepassword`, a script that saves the user), and calls one
service, `api_tokens_revoke_all`, which records each revocation. A password hash that Django
upgrades on sign-in (a stronger hasher, more iterations) is not a change of password.
"""

from django.conf import settings
from django.contrib.auth.hashers import get_hasher, identify_hasher
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from initiatives.accounts.models import ApiTokenRevocation

# What the post_save half acts on, set by the pre_save half on the instance being saved.
_REASON = "_crossing_revoke_api_tokens"


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api-tokens-note-credentials")
def note_credential_change(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    setattr(instance, _REASON, None)
    if raw or instance.pk is None:  # fixtures; a new account has no tokens yet
        return
    if update_fields is not None and "password" not in update_fields:
        return  # e.g. last_login on every sign-in: nothing to compare, no query
    before = sender._default_manager.filter(pk=instance.pk).values("password").first()
    if before is None:
        return
    if before["password"] != instance.password and not _is_upgrade(instance, before["password"]):
        setattr(instance, _REASON, ApiTokenRevocation.Reason.PASSWORD_CHANGED)


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="api-tokens-revoke")
def revoke_api_tokens(sender, instance, created=False, **kwargs) -> None:
    reason = getattr(instance, _REASON, None)
    if reason is None:
        return
    setattr(instance, _REASON, None)
    from initiatives.accounts.services import api_tokens_revoke_all

    api_tokens_revoke_all(user=instance, reason=reason)


def _is_upgrade(user, old_hash: str) -> bool:
    """Django re-hashing the same password on sign-in, not someone setting a new one.

    `set_password` leaves the new raw password on the instance (`_password`), and the
    sign-in upgrade clears it again; the upgrade only happens to a hash that the preferred
    hasher would replace, so a new hash with no raw password and an up-to-date old hash
    was written directly (a script), which counts as a change.
    """
    if user._password is not None or not user.has_usable_password():
        return False
    try:
        old_hasher = identify_hasher(old_hash)
    except ValueError:
        return False  # the old password was unusable: any new one is a change
    preferred = get_hasher("default")
    return old_hasher.algorithm != preferred.algorithm or preferred.must_update(old_hash)
