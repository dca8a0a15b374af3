"""The e-mail outbox (PRODUCT.md section 8).

Every e-mail is first a row in `EmailRecord` with a unique `dedupe_key`, written in the
same transaction as the change that causes it; the send task is queued only after commit.
A worker claims the row, sends, and marks it sent. Whatever is retried or runs twice at
once, the unique key means one person never gets the same e-mail twice; a row left
behind by a crashed worker or an unreachable broker is picked up by `sweep`.

A failed attempt is not retried by the task: the row goes back to pending with the moment
of its next attempt (`retry_delay`), and the sweep sends it when that moment comes, so an
SMTP outage of a day loses nothing (README, "The watch: flags, the scan and its e-mails").
"""

import logging
import secrets
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.db.models import Count, F, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone

from .choices import EmailKind, EmailStatus, FlagKind
from .models import EmailRecord, Flag, Initiative
from .people import display_name

logger = logging.getLogger(__name__)

CONFIRM_SALT = "crossing.ownership-confirm"


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


# After a failed publish, this process stops trying for a while: each attempt against an
# unreachable Redis costs seconds (the client retries), and the sweep sends what is left.
BROKER_BACKOFF_SECONDS = 30.0
_broker_down_until = 0.0


def enqueue_after_commit(task, *args) -> None:
    """Queue `task` once the current transaction commits.

    A broker that is down must not turn a saved change into an error page, nor into a slow
    one: the failure is logged, the change stays saved, publishing pauses for
    BROKER_BACKOFF_SECONDS, and the outbox sweep sends the e-mail later.
    """

    def send() -> None:
        if time.monotonic() < _broker_down_until:
            logger.info("Broker marked down; %s%r is left to the sweep.", task.name, args)
            return
        publish(task, args)

    transaction.on_commit(send)


def publish(task, args: tuple) -> bool:
    """Send `task` to the broker now. False (and a pause, see above) if it is unreachable."""
    global _broker_down_until
    try:
        task.apply_async(args=args, retry=False)
    except Exception:
        _broker_down_until = time.monotonic() + BROKER_BACKOFF_SECONDS
        logger.warning("Could not queue %s%r; the sweep will retry.", task.name, args)
        return False
    _broker_down_until = 0.0
    return True


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
    from . import tasks

    ids = EmailRecord.objects.filter(
        dedupe_key__in=list(new), status=EmailStatus.PENDING
    ).values_list("pk", flat=True)
    for record_id in ids:
        enqueue_after_commit(tasks.send_email, record_id)
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


def reminder_period(opened_at: datetime, as_of: datetime) -> int:
    """0 for the first e-mail about a flag, then 1, 2, ... one per reminder interval."""
    interval = timedelta(days=settings.PORTAL_REMINDER_INTERVAL_DAYS)
    return max(0, int((as_of - opened_at) / interval))


def plan_flag_emails(flags: list[Flag], as_of: datetime) -> list[PlannedEmail]:
    """Who must hear about each open flag, and which reminder this is.

    Stale ownership: the owner, once per reminder interval, and the sponsor once the owner
    has let `PORTAL_ESCALATE_AFTER_REMINDERS` reminders go unanswered. Ownerless: the
    sponsor and the governance mailbox, once per interval.
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


# --- The one-click confirmation link --------------------------------------------------------


def confirmation_token(initiative: Initiative) -> str:
    """Signed, expiring, single-use: it names the confirmation it replaces, so once the owner
    confirms (by this link or any other way) it no longer matches."""
    confirmed = initiative.owner_confirmed_at.isoformat() if initiative.owner_confirmed_at else ""
    return signing.TimestampSigner(salt=CONFIRM_SALT).sign_object(
        {"i": initiative.pk, "o": initiative.production_owner_id, "c": confirmed}
    )


def read_confirmation_token(token: str) -> dict:
    """The token's payload. Raises signing.SignatureExpired or signing.BadSignature."""
    return signing.TimestampSigner(salt=CONFIRM_SALT).unsign_object(
        token, max_age=timedelta(days=settings.PORTAL_CONFIRM_LINK_MAX_AGE_DAYS)
    )


# --- Sending --------------------------------------------------------------------------------


# Jitter is drawn in this many steps between half and all of the wait.
_JITTER_STEPS = 1000


def retry_delay(attempts: int, *, jitter: float | None = None) -> timedelta:
    """How long to wait after the `attempts`-th failed attempt before the next one.

    PORTAL_EMAIL_RETRY_BASE_SECONDS after the first failure, doubling after each one up to
    PORTAL_EMAIL_RETRY_MAX_SECONDS; the wait is drawn between half and all of that ("equal
    jitter", `jitter` from 0 to 1), so e-mails that failed together do not all come back
    at once, and the total never falls below half the schedule.
    """
    if jitter is None:
        jitter = secrets.randbelow(_JITTER_STEPS + 1) / _JITTER_STEPS
    doublings = min(max(attempts - 1, 0), 30)  # 2**30 times any base is past every cap
    full = min(
        settings.PORTAL_EMAIL_RETRY_MAX_SECONDS,
        settings.PORTAL_EMAIL_RETRY_BASE_SECONDS * 2**doublings,
    )
    return timedelta(seconds=full / 2 + full / 2 * jitter)


def retry_span(*, jitter: float) -> timedelta:
    """From the first attempt to the last, if every attempt fails and every wait is drawn
    with `jitter` (0: the shortest the schedule allows, 1: the longest)."""
    attempts = settings.PORTAL_EMAIL_MAX_ATTEMPTS
    return sum((retry_delay(n, jitter=jitter) for n in range(1, attempts)), timedelta())


def _due(now: datetime) -> Q:
    """Pending, and its next attempt (if a failure set one) has come."""
    return Q(status=EmailStatus.PENDING) & (
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now)
    )


def claim(record_id: int) -> EmailRecord | None:
    """Take the e-mail for sending, or None if it is sent, failed, not due yet, or another
    worker has it.

    A claim older than PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS belonged to a worker that died.
    """
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS)
    claimed = (
        EmailRecord.objects.filter(pk=record_id)
        .filter(_due(now) | Q(status=EmailStatus.SENDING, claimed_at__lt=stale))
        .update(status=EmailStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if not claimed:
        return None
    return EmailRecord.objects.select_related(
        "initiative__production_owner",
        "initiative__sponsor",
        "flag",
        "handover__requested_by",
        "handover__to_owner",
        "business_case__reviewed_by",
        "recipient_user",
    ).get(pk=record_id)


def send(record_id: int) -> str:
    """Send one recorded e-mail. Returns what happened; raises on an SMTP failure after
    putting the row back to pending with its next attempt scheduled (or failed, once
    PORTAL_EMAIL_MAX_ATTEMPTS are used up)."""
    record = claim(record_id)
    if record is None:
        return "skipped"
    message = render(record)
    try:
        message.send()
    except Exception as error:
        exhausted = record.attempts >= settings.PORTAL_EMAIL_MAX_ATTEMPTS
        EmailRecord.objects.filter(pk=record.pk).update(
            status=EmailStatus.FAILED if exhausted else EmailStatus.PENDING,
            claimed_at=None,
            next_attempt_at=None if exhausted else timezone.now() + retry_delay(record.attempts),
            last_error=f"{type(error).__name__}: {error}"[:2000],
        )
        raise
    EmailRecord.objects.filter(pk=record.pk).update(
        status=EmailStatus.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return "sent"


def sweep() -> list[int]:
    """Queue again what is pending and due (the broker was down, a task was lost, or a
    failed attempt's wait is over) or claimed by a worker that died. Returns the ids queued
    (none while the broker is unreachable)."""
    now = timezone.now()
    stale = now - timedelta(seconds=settings.PORTAL_EMAIL_CLAIM_TIMEOUT_SECONDS)
    settle = now - timedelta(seconds=60)  # leave fresh rows to their own task
    ids = list(
        EmailRecord.objects.filter(
            Q(status=EmailStatus.PENDING, next_attempt_at__isnull=True, created_at__lt=settle)
            | Q(status=EmailStatus.PENDING, next_attempt_at__lte=now)
            | Q(status=EmailStatus.SENDING, claimed_at__lt=stale)
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:1000]
    )
    from . import tasks

    queued = []
    for record_id in ids:
        # The sweep is how the outbox recovers, so it always tries; it stops at the first
        # failure rather than paying the broker's timeout once per e-mail.
        if not publish(tasks.send_email, (record_id,)):
            break
        queued.append(record_id)
    return queued


# --- Rendering ------------------------------------------------------------------------------

SUBJECTS = {
    EmailKind.HANDOVER_REQUEST: "You are named production owner of {name}",
    EmailKind.CASE_REVIEWED: "Your business case for {name} was reviewed",
    EmailKind.STALE_OWNERSHIP: "Do you still own {name}?",
    EmailKind.OWNERLESS: "{name} has no production owner",
    EmailKind.ESCALATION: "Nobody has confirmed ownership of {name}",
    EmailKind.DIGEST: "Weekly digest: open flags across the portfolio",
}


def render(record: EmailRecord) -> EmailMultiAlternatives:
    context = _context(record)
    name = record.initiative.name if record.initiative else ""
    # A header is one line, whatever an older record's name holds.
    subject = " ".join(("[Crossing] " + SUBJECTS[record.kind].format(name=name)).split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string(f"emails/{record.kind}.txt", context),
        to=[record.recipient],
        headers={"X-Crossing-Email": record.dedupe_key},
    )
    message.attach_alternative(render_to_string(f"emails/{record.kind}.html", context), "text/html")
    return message


def _context(record: EmailRecord) -> dict:
    initiative = record.initiative
    context = {
        "record": record,
        "recipient_name": display_name(record.recipient_user, empty="colleague"),
        "initiative": initiative,
        "flag": record.flag,
        "portal_url": absolute_url("/"),
    }
    if initiative is not None:
        context["initiative_url"] = absolute_url(initiative.get_absolute_url())
        context["handover_url"] = absolute_url(
            reverse("initiative-handover", args=[initiative.slug])
        )
        context["owner_name"] = display_name(initiative.production_owner, empty="nobody")
    if record.handover is not None:
        context["handover"] = record.handover
        context["answer_url"] = absolute_url(reverse("handover-answer", args=[record.handover.pk]))
    if record.business_case is not None:
        context["case"] = record.business_case
        context["case_url"] = absolute_url(record.business_case.get_absolute_url())
    if record.kind == EmailKind.STALE_OWNERSHIP:
        context["confirm_url"] = absolute_url(
            reverse("ownership-confirm", args=[confirmation_token(initiative)])
        )
    if record.kind == EmailKind.DIGEST:
        context.update(digest_context())
    return context


def digest_context() -> dict:
    """Open flags by kind, and the initiatives carrying them (at most 50 per kind)."""
    counts = dict(
        Flag.objects.filter(resolved_at__isnull=True)
        .values_list("kind")
        .annotate(n=Count("pk"))
        .values_list("kind", "n")
    )
    flags = Flag.objects.filter(resolved_at__isnull=True).select_related("initiative")
    by_kind = []
    for kind in FlagKind:
        if counts.get(kind):
            listed = [
                (f.initiative.name, absolute_url(f.initiative.get_absolute_url()))
                for f in flags.filter(kind=kind).order_by("opened_at")[:50]
            ]
            by_kind.append((kind.label, counts[kind], listed))
    return {"by_kind": by_kind, "list_url": absolute_url(reverse("initiative-list"))}
