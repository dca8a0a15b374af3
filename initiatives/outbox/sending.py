"""The e-mail outbox (README "The watch").

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
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from initiatives.core import enqueue
from initiatives.core.choices import EmailStatus
from initiatives.outbox.models import EmailRecord
from initiatives.outbox.rendering import render

logger = logging.getLogger(__name__)


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
    queued = []
    for record_id in ids:
        # The sweep is how the outbox recovers, so it always tries; it stops at the first
        # failure rather than paying the broker's timeout once per e-mail.
        if not publish(enqueue.task("send_email"), (record_id,)):
            break
        queued.append(record_id)
    return queued
