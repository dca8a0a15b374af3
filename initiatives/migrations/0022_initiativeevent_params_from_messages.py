"""Timeline events become a kind plus parameters: the stored sentences are parsed into params.

Each kind's sentence is matched by a regex mirroring the f-string the services used to write
it. A parse is kept only if formatting its params back (with the names as they were written)
gives the very same sentence; anything else keeps its old text as {"text": ...}, shown as
it is. People are found again by id: the owner named in a handover through the initiative's
handovers, a milestone through the initiative's milestone records.

The labels, patterns and formats below are frozen copies (today's code may change later);
the reverse direction writes the sentences back from the params, with the names of the day.
"""

import re
from datetime import UTC, datetime, timedelta

from django.db import migrations, models

STAGES = {
    "Idea": "idea",
    "Proof of concept": "poc",
    "Pilot": "pilot",
    "Production": "production",
    "Retired": "retired",
    "Cancelled": "cancelled",
}
MILESTONE_STATUSES = {
    "not started": "not_started",
    "in progress": "in_progress",
    "done": "done",
    "waived": "waived",
}
CASE_STATUSES = {
    "draft": "draft",
    "submitted for review": "submitted",
    "approved": "approved",
    "rejected": "rejected",
    "changes requested": "changes_requested",
}
PROMOTION_STATUSES = {"approved": "approved", "rejected": "rejected"}
# The order the health metrics were listed in (jsonb keeps no key order).
METRIC_ORDER = (
    "availability",
    "latency_p95_ms",
    "error_rate",
    "data_freshness_hours",
    "data_quality_pass_rate",
    "eval_score",
)


def _one_of(name, labels):
    return f"(?P<{name}>" + "|".join(re.escape(label) for label in labels) + ")"


WHO = r"(?P<who>.+?)"
FROM, TO = _one_of("from_stage", STAGES), _one_of("to_stage", STAGES)

# (kind, pattern, check): `check` formats the params back and compares with the sentence.
PATTERNS = [
    ("created", rf"{WHO} created the initiative\.", True),
    ("edited", rf"{WHO} changed (?P<fields>.+)\.", True),
    (
        "stage_changed",
        rf"{WHO} moved the initiative from {FROM} to {TO}\.(?: Note: (?P<note>.+))?",
        True,
    ),
    # Written by the load-test seed, without the actor's name.
    ("stage_changed", rf"Moved from {FROM} to {TO}\.", False),
    ("owner_named", rf"{WHO} named (?P<owner>.+) production owner; awaiting their acceptance\.", True),
    ("handover_accepted", rf"{WHO} accepted ownership\.", True),
    ("handover_declined", rf"{WHO} declined ownership: (?P<note>.*)", True),
    ("ownership_confirmed", rf"{WHO} confirmed they still own the system\.", True),
    ("promotion_requested", rf"{WHO} asked governance to approve promotion to production\.", True),
    (
        "promotion_reviewed",
        rf"{WHO} {_one_of('status', PROMOTION_STATUSES)} the promotion to production\."
        r"(?: (?P<comment>.+))?",
        True,
    ),
    ("imported", r"(?P<outcome>Created|Updated) from (?P<source>.+)\.", True),
    ("case_saved", rf"{WHO} started business case v(?P<version>\d+)\.", True),
    ("case_submitted", rf"{WHO} submitted business case v(?P<version>\d+) for review\.", True),
    (
        "case_reviewed",
        rf"{WHO} marked business case v(?P<version>\d+) {_one_of('status', CASE_STATUSES)}\."
        r"(?: (?P<comment>.+))?",
        True,
    ),
    (
        "milestone_updated",
        rf"{WHO} marked “(?P<title>.+)” {_one_of('status', MILESTONE_STATUSES)}\.",
        True,
    ),
    ("milestone_updated", rf"{WHO} waived “(?P<title>.+?)”: (?P<justification>.*)", True),
    (
        "milestone_updated",
        rf"{WHO} asked for “(?P<title>.+?)” to be waived: (?P<reason>.*)",
        True,
    ),
    ("milestone_updated", rf"{WHO} declined to waive “(?P<title>.+?)”: (?P<comment>.*)", True),
    (
        "health_report_removed",
        rf"{WHO} removed the health report of (?P<moment>\d{{4}}-\d\d-\d\d \d\d:\d\d) UTC "
        r"\((?P<carried>[^()]*)\)\. Reason: (?P<reason>.*)",
        True,
    ),
]
COMPILED = [(kind, re.compile(pattern, re.DOTALL), check) for kind, pattern, check in PATTERNS]
MILESTONE_ACTIONS = {
    "justification": "waived",
    "reason": "waiver_requested",
    "comment": "waiver_declined",
}


def _display(user, empty="Crossing"):
    if user is None:
        return empty
    return f"{user.first_name} {user.last_name}".strip() or user.username


def _sentence(kind, p, who, person, title):
    """The sentence the services wrote for these params (frozen formats)."""
    stage = {code: label for label, code in STAGES.items()}
    if kind == "created":
        return f"{who} created the initiative."
    if kind == "edited":
        return f"{who} changed {', '.join(p['fields'])}."
    if kind == "stage_changed":
        moved = f"{who} moved the initiative from {stage[p['from_stage']]} to {stage[p['to_stage']]}."
        return moved + (f" Note: {p['note']}" if p.get("note") else "")
    if kind == "owner_named":
        return f"{who} named {person} production owner; awaiting their acceptance."
    if kind == "handover_accepted":
        return f"{who} accepted ownership."
    if kind == "handover_declined":
        return f"{who} declined ownership: {p['note']}"
    if kind == "ownership_confirmed":
        return f"{who} confirmed they still own the system."
    if kind == "promotion_requested":
        return f"{who} asked governance to approve promotion to production."
    if kind == "promotion_reviewed":
        text = f"{who} {p['status']} the promotion to production."
        return text + (f" {p['comment']}" if p.get("comment") else "")
    if kind == "imported":
        return f"{p['outcome'].capitalize()} from {p['source']}."
    if kind == "case_saved":
        return f"{who} started business case v{p['version']}."
    if kind == "case_submitted":
        return f"{who} submitted business case v{p['version']} for review."
    if kind == "case_reviewed":
        status = {code: label for label, code in CASE_STATUSES.items()}[p["status"]]
        text = f"{who} marked business case v{p['version']} {status}."
        return text + (f" {p['comment']}" if p.get("comment") else "")
    if kind == "milestone_updated":
        if p["action"] == "waived":
            return f"{who} waived “{title}”: {p['justification']}"
        if p["action"] == "waiver_requested":
            return f"{who} asked for “{title}” to be waived: {p['reason']}"
        if p["action"] == "waiver_declined":
            return f"{who} declined to waive “{title}”: {p['comment']}"
        status = {code: label for label, code in MILESTONE_STATUSES.items()}[p["status"]]
        return f"{who} marked “{title}” {status}."
    if kind == "health_report_removed":
        moment = datetime.fromisoformat(p["observed_at"]).astimezone(UTC)
        order = {name: i for i, name in enumerate(METRIC_ORDER)}
        listed = sorted(p["metrics"], key=lambda name: (order.get(name, len(order)), name))
        carried = ", ".join(f"{name} {p['metrics'][name]:g}" for name in listed)
        return (
            f"{who} removed the health report of {moment:%Y-%m-%d %H:%M} UTC "
            f"({carried or 'no metrics'}). Reason: {p['reason']}"
        )
    raise KeyError(kind)


def _named_owner(apps, event, name):
    """The user named production owner: the one person called `name` today among the
    initiative's named owners; else (renamed since) the owner of the handover this event
    announced, written in the same transaction by the same person, seconds apart at most."""
    OwnershipHandover = apps.get_model("initiatives", "OwnershipHandover")
    handovers = OwnershipHandover.objects.filter(initiative_id=event.initiative_id)
    named = handovers.select_related("to_owner")
    owners = {h.to_owner_id for h in named if _display(h.to_owner) == name}
    if not owners:
        near = handovers.filter(
            requested_by_id=event.actor_id,
            requested_at__range=(event.at - timedelta(seconds=5), event.at + timedelta(seconds=5)),
        )
        owners = {h.to_owner_id for h in near}
    return owners.pop() if len(owners) == 1 else None


def _milestone(apps, event, title):
    MilestoneRecord = apps.get_model("initiatives", "MilestoneRecord")
    ids = set(
        MilestoneRecord.objects.filter(
            initiative_id=event.initiative_id, milestone__title=title
        ).values_list("milestone_id", flat=True)
    )
    return ids.pop() if len(ids) == 1 else None


def _params(kind, groups, apps, event):
    """Params from a matched sentence, or None when a person or milestone is not found."""
    p = {k: v for k, v in groups.items() if k not in ("who", "owner", "title")}
    if kind == "edited":
        p["fields"] = groups["fields"].split(", ")
    if kind == "stage_changed":
        p["from_stage"], p["to_stage"] = STAGES[p["from_stage"]], STAGES[p["to_stage"]]
        p["note"] = p.get("note") or ""
    if kind in ("promotion_reviewed", "case_reviewed"):
        statuses = PROMOTION_STATUSES if kind == "promotion_reviewed" else CASE_STATUSES
        p["status"] = statuses[p["status"]]
        p["comment"] = p.get("comment") or ""
    if "version" in p:
        p["version"] = int(p["version"])
    if kind == "imported":
        p["outcome"] = p["outcome"].lower()
    if kind == "owner_named":
        p["to_owner"] = _named_owner(apps, event, groups["owner"])
        if p["to_owner"] is None:
            return None
    if kind == "milestone_updated":
        p["milestone"] = _milestone(apps, event, groups["title"])
        if p["milestone"] is None:
            return None
        if "status" in p:
            p["action"], p["status"] = "marked", MILESTONE_STATUSES[p["status"]]
        else:
            p["action"] = next(MILESTONE_ACTIONS[k] for k in MILESTONE_ACTIONS if k in p)
    if kind == "health_report_removed":
        day = datetime.strptime(p.pop("moment"), "%Y-%m-%d %H:%M").replace(tzinfo=UTC)
        p["observed_at"] = day.isoformat()
        carried, p["metrics"] = p.pop("carried"), {}
        if carried != "no metrics":
            for pair in carried.split(", "):
                name, _, value = pair.partition(" ")
                if not re.fullmatch(r"[a-z][a-z0-9_]*", name):
                    return None
                try:
                    p["metrics"][name] = float(value)
                except ValueError:
                    return None
    return p


def parse(apps, event):
    """The params for one stored sentence; {"text": ...} when it cannot be parsed reliably."""
    text = event.message
    for kind, pattern, check in COMPILED:
        if kind != event.kind:
            continue
        match = pattern.fullmatch(text)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v is not None}
        params = _params(kind, groups, apps, event)
        if params is None:
            continue
        if check:
            again = _sentence(kind, params, groups.get("who"), groups.get("owner"), groups.get("title"))
            if again != text:
                continue
        return params
    return {"text": text}


def _in_batches(queryset, size=2000):
    batch = []
    for event in queryset.iterator(chunk_size=size):
        batch.append(event)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def messages_to_params(apps, schema_editor):
    InitiativeEvent = apps.get_model("initiatives", "InitiativeEvent")
    for batch in _in_batches(InitiativeEvent.objects.order_by("pk")):
        for event in batch:
            event.params = parse(apps, event)
        InitiativeEvent.objects.bulk_update(batch, ["params"], batch_size=1000)


def params_to_messages(apps, schema_editor):
    InitiativeEvent = apps.get_model("initiatives", "InitiativeEvent")
    User = InitiativeEvent._meta.get_field("actor").related_model
    ReadinessMilestone = apps.get_model("initiatives", "ReadinessMilestone")
    events = InitiativeEvent.objects.order_by("pk").select_related("actor")
    for batch in _in_batches(events):
        people = User.objects.in_bulk({e.params.get("to_owner") for e in batch} - {None})
        titles = dict(
            ReadinessMilestone.objects.filter(
                pk__in={e.params.get("milestone") for e in batch} - {None}
            ).values_list("pk", "title")
        )
        for event in batch:
            p = event.params
            if "text" in p:
                event.message = p["text"]
                continue
            try:
                event.message = _sentence(
                    event.kind,
                    p,
                    _display(event.actor),
                    _display(people.get(p.get("to_owner")), empty="someone"),
                    titles.get(p.get("milestone"), "a milestone"),
                )[:500]
            except (KeyError, TypeError, ValueError):
                event.message = event.kind.replace("_", " ").capitalize()
        InitiativeEvent.objects.bulk_update(batch, ["message"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0021_handover_from_backup_owner"),
    ]

    operations = [
        migrations.AddField(
            model_name="initiativeevent",
            name="params",
            field=models.JSONField(
                blank=True,
                default=dict,
                help_text="What the sentence is made of: people as user ids, stages as codes, "
                "notes as typed; {'text': ...} for an old sentence kept as it was.",
            ),
        ),
        migrations.RunPython(messages_to_params, params_to_messages),
    ]
