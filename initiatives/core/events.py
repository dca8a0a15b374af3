"""Timeline events: stored as a kind plus parameters, turned into English when read.

A stored event never holds a finished sentence. Its `params` keep people as user ids
(`{"to_owner": 12}`; the actor is the event's own foreign key), stages as their codes,
milestones as their ids, changed fields as a list of names, and notes, comments and reasons
as the text the person typed. The sentence is made here, each time a page, the API or the
admin reads the event, so a renamed person or a retitled milestone reads correctly in every
old entry.

Events converted from the old stored sentences that could not be parsed reliably keep that
text as `{"text": ...}`, shown as it is.

Add a kind: one choice in `EventKind`, one small function below, one entry in `RENDERERS`;
the services call `initiative_event_create(initiative=, actor=, kind=, **params)`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from initiatives.core.choices import (
    BusinessCaseStatus,
    EventKind,
    MilestoneStatus,
    PromotionStatus,
    RegulatoryCategory,
    Stage,
)
from initiatives.core.people import display_name
from initiatives.health.models import METRIC_NAMES
from initiatives.readiness.models import ReadinessMilestone

if TYPE_CHECKING:  # the timeline's rows; imported for annotations only (no cycle)
    from initiatives.portfolio.models import InitiativeEvent

# Which params name a person (a user id) or a milestone (its id): resolved in one query each
# for a whole page of events.
PEOPLE_PARAMS = ("to_owner",)
MILESTONE_PARAMS = ("milestone",)


@dataclass
class Names:
    """Who and what a page of events names, looked up once for the whole page."""

    people: dict[int, object] = field(default_factory=dict)
    milestones: dict[int, str] = field(default_factory=dict)

    def person(self, pk: int | None) -> str:
        # Users are never deleted (they are deactivated), but an id in JSON is not protected.
        return display_name(self.people.get(pk), empty="someone")

    def milestone(self, pk: int | None) -> str:
        return self.milestones.get(pk, "a milestone")


def _label(choices, value: str) -> str:
    try:
        return str(choices(value).label)
    except ValueError:
        return str(value)


def _with(text: str, extra: str, *, sep: str = " ") -> str:
    return f"{text}{sep}{extra}" if extra else text


Renderer = Callable[[str, dict, Names], str]


def _created(who: str, p: dict, names: Names) -> str:
    return f"{who} created the initiative."


def _edited(who: str, p: dict, names: Names) -> str:
    return f"{who} changed {', '.join(p.get('fields', []))}."


def _stage_changed(who: str, p: dict, names: Names) -> str:
    moved = (
        f"{who} moved the initiative from {_label(Stage, p['from_stage'])} "
        f"to {_label(Stage, p['to_stage'])}."
    )
    note = p.get("note", "")
    return _with(moved, f"Note: {note}" if note else "")


def _owner_named(who: str, p: dict, names: Names) -> str:
    return (
        f"{who} named {names.person(p.get('to_owner'))} production owner; "
        "awaiting their acceptance."
    )


def _handover_accepted(who: str, p: dict, names: Names) -> str:
    return f"{who} accepted ownership."


def _handover_declined(who: str, p: dict, names: Names) -> str:
    return f"{who} declined ownership: {p.get('note', '')}"


def _handover_cancelled(who: str, p: dict, names: Names) -> str:
    # Cancelled by the leaver path, whoever (or whatever: SCIM) deactivated the person.
    return f"The handover to {names.person(p.get('to_owner'))} was cancelled: {p.get('note', '')}"


def _ownership_confirmed(who: str, p: dict, names: Names) -> str:
    return f"{who} confirmed they still own the system."


def _promotion_requested(who: str, p: dict, names: Names) -> str:
    return f"{who} asked governance to approve promotion to production."


def _promotion_reviewed(who: str, p: dict, names: Names) -> str:
    verb = _label(PromotionStatus, p["status"]).lower()
    return _with(f"{who} {verb} the promotion to production.", p.get("comment", ""))


def _imported(who: str, p: dict, names: Names) -> str:
    return f"{p['outcome'].capitalize()} from {p['source']}."


def _case_saved(who: str, p: dict, names: Names) -> str:
    return f"{who} started business case v{p['version']}."


def _case_submitted(who: str, p: dict, names: Names) -> str:
    return f"{who} submitted business case v{p['version']} for review."


def _case_reviewed(who: str, p: dict, names: Names) -> str:
    status = _label(BusinessCaseStatus, p["status"]).lower()
    return _with(f"{who} marked business case v{p['version']} {status}.", p.get("comment", ""))


def _milestone_updated(who: str, p: dict, names: Names) -> str:
    title = names.milestone(p.get("milestone"))
    action = p.get("action")
    if action == "waived" and p.get("article"):
        return (
            f"{who} waived the legal obligation {p['article']}, “{title}”: "
            f"{p.get('justification', '')}"
        )
    if action == "waived":
        return f"{who} waived “{title}”: {p.get('justification', '')}"
    if action == "waiver_requested":
        return f"{who} asked for “{title}” to be waived: {p.get('reason', '')}"
    if action == "waiver_declined":
        return f"{who} declined to waive “{title}”: {p.get('comment', '')}"
    return f"{who} marked “{title}” {_label(MilestoneStatus, p['status']).lower()}."


def _health_report_removed(who: str, p: dict, names: Names) -> str:
    moment = datetime.fromisoformat(p["observed_at"]).astimezone(UTC)
    metrics = p.get("metrics", {})
    # The database keeps no key order (jsonb): metrics read in the registry's order.
    order = {name: i for i, name in enumerate(METRIC_NAMES)}
    listed = sorted(metrics, key=lambda name: (order.get(name, len(order)), name))
    carried = ", ".join(f"{name} {metrics[name]:g}" for name in listed)
    return (
        f"{who} removed the health report of {moment:%Y-%m-%d %H:%M} UTC "
        f"({carried or 'no metrics'}). Reason: {p.get('reason', '')}"
    )


def _value_reported(who: str, p: dict, names: Names) -> str:
    verb = "corrected" if p.get("correction") else "reported"
    return _with(f"{who} {verb} the value delivered in {p['quarter']}.", p.get("source", ""))


def _classification_submitted(who: str, p: dict, names: Names) -> str:
    category = _label(RegulatoryCategory, p["category"]).lower()
    return (
        f"{who} submitted EU AI Act classification v{p['version']} ({category}) "
        "for a governance reviewer to confirm."
    )


def _classification_confirmed(who: str, p: dict, names: Names) -> str:
    category = _label(RegulatoryCategory, p["category"]).lower()
    return _with(
        f"{who} confirmed EU AI Act classification v{p['version']}: {category}.",
        p.get("comment", ""),
    )


def _classification_returned(who: str, p: dict, names: Names) -> str:
    return f"{who} returned EU AI Act classification v{p['version']} for changes: {p['comment']}"


def _obligations_applied(who: str, p: dict, names: Names) -> str:
    category = str(p["category"]).replace("_", "-")
    changes = [f"{key} {', '.join(p[key])}" for key in ("added", "removed") if p.get(key)]
    return (
        f"{who} applied the EU AI Act obligations of a {category} classification: "
        + ("; ".join(changes) or "no change")
        + "."
    )


RENDERERS: dict[str, Renderer] = {
    EventKind.CREATED: _created,
    EventKind.EDITED: _edited,
    EventKind.STAGE_CHANGED: _stage_changed,
    EventKind.OWNER_NAMED: _owner_named,
    EventKind.HANDOVER_ACCEPTED: _handover_accepted,
    EventKind.HANDOVER_DECLINED: _handover_declined,
    EventKind.HANDOVER_CANCELLED: _handover_cancelled,
    EventKind.OWNERSHIP_CONFIRMED: _ownership_confirmed,
    EventKind.PROMOTION_REQUESTED: _promotion_requested,
    EventKind.PROMOTION_REVIEWED: _promotion_reviewed,
    EventKind.IMPORTED: _imported,
    EventKind.CASE_SAVED: _case_saved,
    EventKind.CASE_SUBMITTED: _case_submitted,
    EventKind.CASE_REVIEWED: _case_reviewed,
    EventKind.MILESTONE_UPDATED: _milestone_updated,
    EventKind.HEALTH_REPORT_REMOVED: _health_report_removed,
    EventKind.VALUE_REPORTED: _value_reported,
    EventKind.CLASSIFICATION_SUBMITTED: _classification_submitted,
    EventKind.CLASSIFICATION_CONFIRMED: _classification_confirmed,
    EventKind.CLASSIFICATION_RETURNED: _classification_returned,
    EventKind.OBLIGATIONS_APPLIED: _obligations_applied,
}


def names_for(events: Iterable[InitiativeEvent]) -> Names:
    """One query for every person and one for every milestone the events name (none when
    they name nobody); the actor comes with the event (select_related)."""
    people_ids = {e.params[k] for e in events for k in PEOPLE_PARAMS if e.params.get(k)}
    milestone_ids = {e.params[k] for e in events for k in MILESTONE_PARAMS if e.params.get(k)}
    names = Names()
    if people_ids:
        names.people = get_user_model().objects.in_bulk(people_ids)
    if milestone_ids:
        names.milestones = dict(
            ReadinessMilestone.objects.filter(pk__in=milestone_ids)
            .order_by()
            .values_list("pk", "title")
        )
    return names


def render(event: InitiativeEvent, names: Names) -> str:
    """The event's sentence, with today's names."""
    params = event.params or {}
    if "text" in params:  # an old sentence the migration could not parse
        return params["text"]
    renderer = RENDERERS.get(event.kind)
    if renderer is None:
        return _label(EventKind, event.kind)
    try:
        return renderer(display_name(event.actor), params, names)
    except (KeyError, TypeError, ValueError):
        # Params a renderer cannot read (a hand-edited row) never take the page down.
        return _label(EventKind, event.kind)


def render_events(events: Iterable[InitiativeEvent]) -> list[InitiativeEvent]:
    """Give each event its sentence (`event.message`), naming people and milestones as
    they are called today, with a fixed number of queries for any number of events."""
    events = list(events)
    names = names_for(events)
    for event in events:
        event.render_with(render(event, names))
    return events


def check_params(kind: str, params: dict) -> None:
    """Refuse an event no renderer could read: an unknown kind, or params the kind's
    renderer fails on (a model instance instead of its id, a missing stage)."""
    if kind not in RENDERERS:
        raise ValueError(f"Unknown event kind {kind!r}.")
    if {"message", "text"} & set(params):
        # "text" is kept only for the old sentences the migration could not parse.
        raise TypeError("An event is stored as params and rendered when read, not as a sentence.")
    for key in (*PEOPLE_PARAMS, *MILESTONE_PARAMS):
        if key in params and not isinstance(params[key], int):
            raise TypeError(f"Event param {key!r} holds an id, not {type(params[key]).__name__}.")
    RENDERERS[kind]("someone", params, Names())  # raises on missing or unreadable params
