"""Every write to initiatives, stages and ownership.

Services are keyword-only, take the acting user, check the permission rule, validate with
`full_clean()` and write atomically. They raise `PermissionDenied` when the actor may not
act and `ValidationError` (field-keyed where a field is at fault) when the input is wrong,
so the web forms and the API report the same thing. Each write records a timeline event;
field-level history is kept by django-simple-history, which is told who acted.
"""

from collections.abc import Iterable
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core import permissions
from initiatives.core.choices import (
    EventKind,
    Stage,
)
from initiatives.core.writes import initiative_event_create, lock_initiative, require, save
from initiatives.health import services as health_services
from initiatives.portfolio.gates import OTHER, Unmet, unmet
from initiatives.portfolio.models import (
    BusinessUnit,
    Initiative,
    StageTransition,
    TeamMembership,
)

# The fields a contributor may change with `initiative_update`. Stage and ownership have
# their own services; audit fields are never written from input.
EDITABLE_FIELDS = (
    "name",
    "summary",
    "business_unit",
    "sponsor",
    "risk_tier",
    "target_production_date",
)


class TransitionRefused(ValidationError):
    """A stage change that fails its gates: `messages` lists every unmet condition as a
    sentence, `unmet` the same conditions with their domain and where each is fixed."""

    def __init__(self, reasons: list[Unmet] | list[str]) -> None:
        self.unmet = [
            r if isinstance(r, Unmet) else Unmet(domain=OTHER, message=str(r)) for r in reasons
        ]
        super().__init__([condition.message for condition in self.unmet])


# --- Initiatives ----------------------------------------------------------------------------


@transaction.atomic
def initiative_create(
    *,
    actor: AbstractBaseUser,
    name: str,
    slug: str,
    business_unit: BusinessUnit,
    summary: str = "",
    sponsor: AbstractBaseUser | None = None,
    risk_tier: str = "medium",
    target_production_date: date | None = None,
    team_members: Iterable[AbstractBaseUser] = (),
) -> Initiative:
    """Create an initiative in `idea`; the creator becomes its first contributor."""
    require(permissions.can_create_initiative(actor), "You may not create initiatives.")
    initiative = Initiative(
        name=name,
        slug=slug,
        summary=summary,
        business_unit=business_unit,
        sponsor=sponsor,
        risk_tier=risk_tier,
        target_production_date=target_production_date,
        stage=Stage.IDEA,
        stage_entered_at=timezone.now(),
    )
    save(initiative, actor)
    members = {actor.pk: actor, **{m.pk: m for m in team_members}}
    for member in members.values():
        save(TeamMembership(initiative=initiative, user=member), actor)
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.CREATED,
    )
    return initiative


@transaction.atomic
def initiative_update(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser,
    data: dict,
    team_members: Iterable[AbstractBaseUser] | None = None,
) -> Initiative:
    """Change the editable fields named in `data`; anything else in `data` is refused."""
    require(
        permissions.can_edit_initiative(actor, initiative),
        "Only the initiative's team may edit it.",
    )
    unknown = set(data) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError(dict.fromkeys(sorted(unknown), "This field cannot be changed here."))
    initiative = lock_initiative(initiative)
    changed = [f for f, v in data.items() if getattr(initiative, f) != v]
    for field, value in data.items():
        setattr(initiative, field, value)
    if changed:
        save(initiative, actor)
    if team_members is not None:
        changed += _set_team(initiative, actor, team_members)
    if changed:
        initiative_event_create(
            initiative=initiative,
            actor=actor,
            kind=EventKind.EDITED,
            fields=changed,
        )
    return initiative


def _set_team(
    initiative: Initiative, actor: AbstractBaseUser, members: Iterable[AbstractBaseUser]
) -> list[str]:
    wanted = {m.pk for m in members}
    current = dict(TeamMembership.objects.filter(initiative=initiative).values_list("user", "pk"))
    if wanted == set(current):
        return []
    if not permissions.keeps_team_rights(actor, initiative, members=wanted):
        raise ValidationError(
            {
                "team_members": "You would remove yourself from the team and lose the right to "
                "edit it. Keep yourself selected, or ask another member to remove you."
            }
        )
    for user_pk, membership_pk in current.items():
        if user_pk not in wanted:
            membership = TeamMembership.objects.get(pk=membership_pk)
            membership._history_user = actor
            membership.delete()
    for user_pk in wanted - set(current):
        save(TeamMembership(initiative=initiative, user_id=user_pk), actor)
    return ["team members"]


# --- Stages ---------------------------------------------------------------------------------


@transaction.atomic
def initiative_transition(
    *,
    initiative: Initiative,
    actor: AbstractBaseUser | None,
    to_stage: str,
    note: str = "",
    at: datetime | None = None,
    imported: bool = False,
) -> StageTransition:
    """Move the initiative to `to_stage`, recording the transition.

    Raises `TransitionRefused` listing every unmet condition. `imported=True` is for the
    import only, which records history as it was rather than making it: no gates, and the
    importer's own permission was checked by its caller.
    """
    initiative = lock_initiative(initiative)
    if not imported:
        require(
            actor is not None and permissions.can_change_stage(actor, initiative),
            "Only the initiative's team may change its stage.",
        )
        conditions = unmet(initiative, to_stage, note)
        if conditions:
            raise TransitionRefused(conditions)
    elif to_stage not in Stage.values:
        raise ValidationError({"stage": f"'{to_stage}' is not a stage."})
    at = at or timezone.now()
    transition = StageTransition(
        initiative=initiative,
        from_stage=initiative.stage,
        to_stage=to_stage,
        actor=actor,
        at=at,
        note=note,
    )
    transition.full_clean()
    transition.save()
    initiative.stage = to_stage
    initiative.stage_entered_at = at
    if to_stage != Stage.PRODUCTION:
        initiative.health_status = ""  # judged on production systems only
    # An import's transition says which file moved it.
    save(
        initiative,
        actor,
        reason=f"{note}: stage → {to_stage}" if imported else f"Stage → {to_stage}",
    )
    if to_stage == Stage.PRODUCTION:
        health_services.health_status_refresh(
            initiative=initiative
        )  # the dashboards count it from now on
    initiative_event_create(
        initiative=initiative,
        actor=actor,
        kind=EventKind.STAGE_CHANGED,
        from_stage=transition.from_stage,
        to_stage=to_stage,
        note=note,
    )
    return transition
