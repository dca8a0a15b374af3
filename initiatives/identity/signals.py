"""Every path that deactivates a person runs the leaver path.

`person_deactivate` is the service; this hook catches the saves that did not go through it:
the admin's user form (whose `save_model` names the administrator), a script or the shell
saving `is_active=False`. Its pre_save half compares with the stored row (only when
`is_active` may have changed); its post_save half, within the saving transaction (the
admin's), hands the person to the service, which finds them saved inactive and does the rest.
"""

from django.conf import settings
from django.db.models.signals import post_save, pre_save
from django.dispatch import receiver

from initiatives.identity.services import SAVING_DEACTIVATION, person_deactivate

# Set by the pre_save half on the instance: this save turns an active person inactive.
_DEACTIVATED_BY_SAVE = "_crossing_deactivated_by_save"
# Who deactivated them and why, when the caller knows (the admin sets both).
DEACTIVATED_BY = "_crossing_deactivated_by"
DEACTIVATION_REASON = "_crossing_deactivation_reason"


@receiver(pre_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="leaver-path-note")
def note_deactivation(sender, instance, raw=False, update_fields=None, **kwargs) -> None:
    setattr(instance, _DEACTIVATED_BY_SAVE, False)
    if raw or instance.pk is None or instance.is_active:
        return  # fixtures; a new account; still active
    if getattr(instance, SAVING_DEACTIVATION, False):
        return  # the service itself is saving: it does the rest
    if update_fields is not None and "is_active" not in update_fields:
        return
    was_active = (
        sender._default_manager.filter(pk=instance.pk).values_list("is_active", flat=True).first()
    )
    setattr(instance, _DEACTIVATED_BY_SAVE, bool(was_active))


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="leaver-path-run")
def run_leaver_path(sender, instance, created=False, **kwargs) -> None:
    if not getattr(instance, _DEACTIVATED_BY_SAVE, False):
        return
    setattr(instance, _DEACTIVATED_BY_SAVE, False)
    setattr(instance, SAVING_DEACTIVATION, True)
    try:
        person_deactivate(
            person=instance,
            by=getattr(instance, DEACTIVATED_BY, None),
            reason=getattr(instance, DEACTIVATION_REASON, "") or "Their account was deactivated.",
        )
    finally:
        setattr(instance, SAVING_DEACTIVATION, False)
