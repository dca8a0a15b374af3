from celery import shared_task

from initiatives.outbox import sending


@shared_task(name="initiatives.tasks.send_email")
def send_email(record_id: int) -> str:
    # No retry of its own: a failed attempt sets the e-mail's next attempt time, hours away
    # late in the schedule (longer than the broker's visibility timeout allows a countdown),
    # and the sweep queues it again when that time comes.
    return sending.send(record_id)


@shared_task(name="initiatives.tasks.sweep_emails")
def sweep_emails() -> int:
    return len(sending.sweep())
