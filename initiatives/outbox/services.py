"""Governance's hand on the e-mail outbox: sending a failed e-mail again."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from initiatives.core import enqueue, permissions
from initiatives.core.choices import EmailStatus
from initiatives.core.writes import require
from initiatives.outbox import sending
from initiatives.outbox.models import EmailRecord


@transaction.atomic
def email_send_again(*, email: EmailRecord, actor: AbstractBaseUser) -> EmailRecord:
    """Put a failed e-mail back in the outbox with a fresh retry schedule, recording who did
    it and when; it is queued once this commits (and the sweep sends it if the broker is
    down). Only a failed e-mail qualifies, checked in the same statement that changes it, so
    two reviewers pressing at once queue it once."""
    require(
        permissions.can_see_email_log(actor),
        "Only a governance reviewer may send an e-mail again.",
    )
    if not permissions.can_send_email_again(actor, email):
        status, reason = permissions.send_email_again_refusal(actor, email)
        if status == 409 and email.status == EmailStatus.FAILED:
            raise ValidationError(reason)  # the recipient has left
    now = timezone.now()
    changed = EmailRecord.objects.filter(pk=email.pk, status=EmailStatus.FAILED).update(
        status=EmailStatus.PENDING,
        attempts=0,
        next_attempt_at=None,
        claimed_at=None,
        resent_by=actor,
        resent_at=now,
    )
    if not changed:
        email.refresh_from_db(fields=["status"])
        raise ValidationError(
            "Only a failed e-mail can be sent again; "
            f"this one is {email.get_status_display().lower()}."
        )

    sending.enqueue_after_commit(enqueue.task("send_email"), email.pk)
    email.refresh_from_db()
    return email
