"""Flags opened before every rule said why: stalled and stale-ownership flags get the reason
their rule now records, made from the facts they were opened with (a frozen copy of
`stalled_reason` and `stale_ownership_reason` in initiatives.watch.rules)."""

from django.db import migrations

STAGE_LABELS = {"idea": "idea", "poc": "proof of concept", "pilot": "pilot"}


def reason_for(kind: str, facts: dict) -> str:
    limit = facts.get("limit_days")
    if kind == "stalled" and facts.get("days_in_stage") is not None:
        stage = STAGE_LABELS.get(facts.get("stage"), facts.get("stage"))
        return f"{facts['days_in_stage']} days in {stage} (limit {limit} days)"
    if kind == "stale_ownership":
        days = facts.get("days_since_confirmation")
        if days is None:
            return f"ownership never confirmed (limit {limit} days)"
        return f"last confirmed {days} days ago (limit {limit} days)"
    return ""


def add_reasons(apps, schema_editor):
    Flag = apps.get_model("initiatives", "Flag")
    for flag in Flag.objects.filter(kind__in=["stalled", "stale_ownership"]).iterator():
        if flag.facts.get("reason"):
            continue
        reason = reason_for(flag.kind, flag.facts)
        if reason:
            Flag.objects.filter(pk=flag.pk).update(facts={**flag.facts, "reason": reason})


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0023_drop_initiativeevent_message")]

    operations = [migrations.RunPython(add_reasons, migrations.RunPython.noop)]
