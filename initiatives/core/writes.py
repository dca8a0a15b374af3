"""What every service module shares: the permission guard, validated saves that tell the
history who acted, the timeline, and the initiative row lock."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied

from initiatives.core.events import check_params
from initiatives.portfolio.models import Initiative, InitiativeEvent


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise PermissionDenied(message)


# What a history row's change reason holds (django-simple-history's column).
REASON_LENGTH = 100


def save(instance, actor: AbstractBaseUser | None, reason: str = "") -> None:
    """full_clean() then save(), telling the history who acted and why.

    A longer reason (an imported file's long name) is shortened to fit, ending with "…".
    """
    instance.full_clean()
    instance._history_user = actor
    if reason:
        too_long = len(reason) > REASON_LENGTH
        instance._change_reason = f"{reason[: REASON_LENGTH - 1]}…" if too_long else reason
    instance.save()


def initiative_event_create(
    *, initiative: Initiative, actor: AbstractBaseUser | None, kind: str, **params
) -> InitiativeEvent:
    """Put an event on the initiative's timeline as its kind plus `params` (people as user
    ids, stages as codes, notes as typed), never as a sentence: `initiatives.core.events` renders
    it when read. Params the kind's sentence could not be made from are refused here."""
    check_params(kind, params)
    return InitiativeEvent.objects.create(
        initiative=initiative, actor=actor, kind=kind, params=params
    )


def lock_initiative(initiative: Initiative) -> Initiative:
    """Re-read the initiative under a row lock, so concurrent writes serialise.

    Lock order: a service that locks rows of an initiative (a handover, a promotion request,
    a business case, a milestone record) locks the initiative first, then those rows. Two
    services locking in opposite orders can each hold one row and wait for the other, which
    PostgreSQL ends by killing one with "deadlock detected".
    """
    return (
        Initiative.objects.select_for_update(of=("self",))
        .select_related("production_owner", "business_unit")
        .get(pk=initiative.pk)
    )
