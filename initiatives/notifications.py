"""E-mails the foundation sends. Rendered from templates (plain text + HTML alternative),
with absolute links built from PORTAL_BASE_URL."""

import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse

from .choices import HandoverStatus
from .models import OwnershipHandover

logger = logging.getLogger(__name__)


def absolute_url(path: str) -> str:
    return f"{settings.PORTAL_BASE_URL}{path}"


def enqueue_after_commit(task, *args) -> None:
    """Queue `task` once the current transaction commits.

    A broker that is down must not turn a saved change into an error page: the failure is
    logged and the change stays saved.
    """

    def send() -> None:
        try:
            task.delay(*args)
        except Exception:
            logger.exception("Could not queue %s%r; the broker is unreachable.", task.name, args)

    transaction.on_commit(send)


def send_handover_request(handover_id: int) -> bool:
    """Tell the person named production owner that they must accept. False if moot."""
    handover = (
        OwnershipHandover.objects.select_related("initiative", "to_owner", "requested_by")
        .filter(pk=handover_id)
        .first()
    )
    if handover is None or handover.status != HandoverStatus.PENDING:
        return False
    owner = handover.to_owner
    if not owner.email or not owner.is_active:
        return False
    context = {
        "handover": handover,
        "initiative": handover.initiative,
        "owner": owner,
        "answer_url": absolute_url(reverse("handover-answer", args=[handover.pk])),
        "initiative_url": absolute_url(handover.initiative.get_absolute_url()),
    }
    message = EmailMultiAlternatives(
        subject=f"[Crossing] You are named production owner of {handover.initiative.name}",
        body=render_to_string("emails/handover_request.txt", context),
        to=[owner.email],
    )
    message.attach_alternative(
        render_to_string("emails/handover_request.html", context), "text/html"
    )
    message.send()
    return True
