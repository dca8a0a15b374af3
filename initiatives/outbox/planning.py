from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from initiatives.core import enqueue
from initiatives.core.choices import EmailKind, EmailStatus, FlagKind
from initiatives.outbox.models import EmailRecord
from initiatives.outbox.sending import enqueue_after_commit
from initiatives.watch.models import Flag

# --- Queueing -------------------------------------------------------------------------------


@dataclass(frozen=True)
class PlannedEmail:
    dedupe_key: str
    kind: str
    recipient: str
    recipient_user_id: int | None = None
    initiative_id: int | None = None
    flag_id: int | None = None
    handover_id: int | None = None
    business_case_id: int | None = None
    reminder: int = 0
    planned_at: datetime | None = None


def queue(planned: list[PlannedEmail]) -> int:
    """Record the planned e-mails that were never recorded, and send them after commit.

    Returns how many were new. Constant in queries whatever the number of e-mails.
    """
    planned = [p for p in planned if p.recipient]
    if not planned:
        return 0
    keys = [p.dedupe_key for p in planned]
    known = set(
        EmailRecord.objects.filter(dedupe_key__in=keys).values_list("dedupe_key", flat=True)
    )
    new = {p.dedupe_key: p for p in planned if p.dedupe_key not in known}
    if not new:
        return 0
    EmailRecord.objects.bulk_create(
        [
            EmailRecord(
                dedupe_key=p.dedupe_key,
                kind=p.kind,
                recipient=p.recipient,
                recipient_user_id=p.recipient_user_id,
                initiative_id=p.initiative_id,
                flag_id=p.flag_id,
                handover_id=p.handover_id,
                business_case_id=p.business_case_id,
                reminder=p.reminder,
                planned_at=p.planned_at or timezone.now(),
            )
            for p in new.values()
        ],
        ignore_conflicts=True,  # a concurrent run recorded it first: theirs stands
    )
    ids = EmailRecord.objects.filter(
        dedupe_key__in=list(new), status=EmailStatus.PENDING
    ).values_list("pk", flat=True)
    for record_id in ids:
        enqueue_after_commit(enqueue.task("send_email"), record_id)
    return len(new)


def plan_handover_request(handover) -> PlannedEmail:
    owner = handover.to_owner
    return PlannedEmail(
        dedupe_key=f"handover:{handover.pk}:{owner.pk}",
        kind=EmailKind.HANDOVER_REQUEST,
        recipient=owner.email if owner.is_active else "",
        recipient_user_id=owner.pk,
        initiative_id=handover.initiative_id,
        handover_id=handover.pk,
    )


def plan_handover_cancelled(handover) -> PlannedEmail:
    """The person who proposed `handover` hears that it was cancelled (the person named
    left): nobody, when the handover was imported or its proposer has left too."""
    proposer = handover.requested_by
    active = proposer is not None and proposer.is_active
    return PlannedEmail(
        dedupe_key=f"handover-cancelled:{handover.pk}",
        kind=EmailKind.HANDOVER_CANCELLED,
        recipient=proposer.email if active else "",
        recipient_user_id=proposer.pk if active else None,
        initiative_id=handover.initiative_id,
        handover_id=handover.pk,
    )


def reminder_period(opened_at: datetime, as_of: datetime) -> int:
    """0 for the first e-mail about a flag, then 1, 2, ... one per reminder interval."""
    interval = timedelta(days=settings.PORTAL_REMINDER_INTERVAL_DAYS)
    return max(0, int((as_of - opened_at) / interval))


def plan_flag_emails(flags: list[Flag], as_of: datetime) -> list[PlannedEmail]:
    """Who must hear about each open flag, and which reminder this is.

    Stale ownership: the owner, once per reminder interval, and the sponsor once the owner
    has let `PORTAL_ESCALATE_AFTER_REMINDERS` reminders go unanswered. Ownerless: the
    sponsor and the governance mailbox, once per interval. Value unreported and value
    shortfall: the owner, once per reminder interval, then the sponsor too (once) when the
    owner has let `PORTAL_ESCALATE_AFTER_REMINDERS` reminders go by. Regulatory gap: the
    owner and the governance mailbox, once per interval.
    """
    planned = []
    for flag in flags:
        initiative = flag.initiative
        period = reminder_period(flag.opened_at, as_of)
        base = {
            "initiative_id": initiative.pk,
            "flag_id": flag.pk,
            "reminder": period,
            "planned_at": as_of,
        }
        if flag.kind == FlagKind.STALE_OWNERSHIP:
            owner = initiative.production_owner
            planned.append(
                PlannedEmail(
                    dedupe_key=f"flag:{flag.pk}:{owner.email.lower()}:{period}",
                    kind=EmailKind.STALE_OWNERSHIP,
                    recipient=owner.email,
                    recipient_user_id=owner.pk,
                    **base,
                )
            )
            sponsor = initiative.sponsor
            if period >= settings.PORTAL_ESCALATE_AFTER_REMINDERS and sponsor and sponsor.is_active:
                planned.append(
                    PlannedEmail(
                        dedupe_key=f"flag:{flag.pk}:escalation:{sponsor.email.lower()}",
                        kind=EmailKind.ESCALATION,
                        recipient=sponsor.email,
                        recipient_user_id=sponsor.pk,
                        **base,
                    )
                )
        elif flag.kind in VALUE_FLAG_EMAILS:
            planned.extend(_plan_value_flag(flag, period, base))
        elif flag.kind == FlagKind.REGULATORY_GAP:
            planned.extend(_owner_and_governance(flag, EmailKind.REGULATORY_GAP, base))
        elif flag.kind == FlagKind.OWNERLESS:
            sponsor = initiative.sponsor
            recipients = [(settings.GOVERNANCE_EMAIL, None)]
            if sponsor and sponsor.is_active:
                recipients.append((sponsor.email, sponsor.pk))
            for address, user_id in recipients:
                planned.append(
                    PlannedEmail(
                        dedupe_key=f"flag:{flag.pk}:{address.lower()}:{period}",
                        kind=EmailKind.OWNERLESS,
                        recipient=address,
                        recipient_user_id=user_id,
                        **base,
                    )
                )
    return _not_within_interval(planned, as_of)


VALUE_FLAG_EMAILS = {
    FlagKind.VALUE_UNREPORTED: EmailKind.VALUE_UNREPORTED,
    FlagKind.VALUE_SHORTFALL: EmailKind.VALUE_SHORTFALL,
}


def _plan_value_flag(flag: Flag, period: int, base: dict) -> list[PlannedEmail]:
    """The owner hears each reminder interval; the sponsor once, after the owner let
    PORTAL_ESCALATE_AFTER_REMINDERS reminders go by (the stale-ownership pattern)."""
    initiative, kind = flag.initiative, VALUE_FLAG_EMAILS[flag.kind]
    planned = []
    owner = initiative.production_owner
    if owner is not None and owner.is_active:
        planned.append(
            PlannedEmail(
                dedupe_key=f"flag:{flag.pk}:{owner.email.lower()}:{period}",
                kind=kind,
                recipient=owner.email,
                recipient_user_id=owner.pk,
                **base,
            )
        )
    sponsor = initiative.sponsor
    if period >= settings.PORTAL_ESCALATE_AFTER_REMINDERS and sponsor and sponsor.is_active:
        planned.append(
            PlannedEmail(
                dedupe_key=f"flag:{flag.pk}:escalation:{sponsor.email.lower()}",
                kind=kind,
                recipient=sponsor.email,
                recipient_user_id=sponsor.pk,
                **base,
            )
        )
    return planned


def _owner_and_governance(flag: Flag, kind: str, base: dict) -> list[PlannedEmail]:
    """One e-mail of `kind` to the governance mailbox and one to the active owner."""
    owner = flag.initiative.production_owner
    recipients = [(settings.GOVERNANCE_EMAIL, None)]
    if owner and owner.is_active:
        recipients.append((owner.email, owner.pk))
    return [
        PlannedEmail(
            dedupe_key=f"flag:{flag.pk}:{address.lower()}:{base['reminder']}",
            kind=kind,
            recipient=address,
            recipient_user_id=user_id,
            **base,
        )
        for address, user_id in recipients
    ]


def _not_within_interval(planned: list[PlannedEmail], as_of: datetime) -> list[PlannedEmail]:
    """Drop what the same person was already told about the same initiative and condition
    within the reminder interval under another key (a flag that resolved and came back)."""
    kinds = {p.kind for p in planned}
    if not kinds:
        return planned
    since = as_of - timedelta(days=settings.PORTAL_REMINDER_INTERVAL_DAYS)
    recent = {
        (initiative_id, kind, recipient.lower()): key
        for initiative_id, kind, recipient, key in EmailRecord.objects.filter(
            kind__in=kinds, planned_at__gt=since, planned_at__lte=as_of
        ).values_list("initiative_id", "kind", "recipient", "dedupe_key")
    }
    return [
        p
        for p in planned
        if recent.get((p.initiative_id, p.kind, p.recipient.lower()), p.dedupe_key) == p.dedupe_key
    ]


def plan_digest(as_of: datetime) -> PlannedEmail:
    year, week, _ = as_of.isocalendar()
    return PlannedEmail(
        dedupe_key=f"digest:{year}-W{week:02}:{settings.GOVERNANCE_EMAIL.lower()}",
        kind=EmailKind.DIGEST,
        recipient=settings.GOVERNANCE_EMAIL,
    )
