"""A new nomination and an answer to the pending handover, at once, on real PostgreSQL.

Naming an owner locks the initiative, then the pending handover it replaces. Accepting or
declining used to lock them the other way round, so the two could each hold one row and
wait for the other: PostgreSQL broke the tie by killing one with "deadlock detected" (a
500). Every service now locks the initiative first, so one waits for the other and both
answer as the product says.

The interleaving is made certain, not left to timing: a third connection holds the
initiative's row lock until the nomination waits behind it and the answer waits too
(`pg_blocking_pids` tells when a backend is blocked), then lets go.
"""

import threading
import time

import pytest
from django.db import connection, transaction
from rest_framework.test import APIClient

from initiatives.core.choices import HandoverStatus, Stage
from initiatives.models import Initiative, OwnershipHandover
from tests.factories import InitiativeFactory, UserFactory
from tests.support.clients import api_client_for
from tests.support.components import require_postgresql

ALL_CONFIRMED = {"confirms_skills": True, "confirms_mandate": True, "confirms_budget": True}
ANSWERS = {
    "accept": ALL_CONFIRMED,
    "decline": {"note": "No budget in my team."},
}


class Request(threading.Thread):
    """One API call in a thread of its own, on its own database connection, whose backend
    pid is known before the call starts."""

    def __init__(self, name: str, client: APIClient, path: str, data: dict):
        super().__init__(name=name)
        self.client, self.path, self.data = client, path, data
        self.pid: int | None = None
        self.ready = threading.Event()
        self.response = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            connection.ensure_connection()
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_backend_pid()")
                self.pid = cursor.fetchone()[0]
            self.ready.set()
            self.response = self.client.post(self.path, self.data, format="json")
        except BaseException as error:
            self.error = error
        finally:
            self.ready.set()
            connection.close()  # this thread's own connection


def wait_until_blocked(request: Request, observer, timeout: float = 10) -> None:
    """Until the request's backend waits for a lock someone else holds."""
    assert request.ready.wait(timeout), f"{request.name} did not start"
    assert request.pid is not None, f"{request.name} failed before its call: {request.error}"
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        observer.execute("SELECT cardinality(pg_blocking_pids(%s))", [request.pid])
        if observer.fetchone()[0] > 0:
            return
        time.sleep(0.01)
    raise AssertionError(f"{request.name} never waited for the initiative's lock")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("answer", list(ANSWERS))
def test_naming_an_owner_while_the_nominee_answers_never_deadlocks(answer):
    require_postgresql(
        "the deadlock is between PostgreSQL row locks; SQLite locks the whole database"
    )
    contributor = UserFactory(username="contributor")
    mei, kenji = UserFactory(username="mei"), UserFactory(username="kenji")
    initiative = InitiativeFactory(slug="claims-triage", stage=Stage.PILOT, members=[contributor])
    response = api_client_for(contributor).post(
        f"/api/v1/initiatives/{initiative.slug}/handover/", {"to_owner": "mei"}, format="json"
    )
    assert response.status_code == 201, response.json()
    pending = OwnershipHandover.objects.get()

    nominate = Request(
        "nominate kenji",
        api_client_for(contributor),
        f"/api/v1/initiatives/{initiative.slug}/handover/",
        {"to_owner": "kenji"},
    )
    reply = Request(
        f"mei {answer}s",
        api_client_for(mei),
        f"/api/v1/handovers/{pending.pk}/{answer}/",
        ANSWERS[answer],
    )

    with connection.cursor() as observer, transaction.atomic():
        # Hold the initiative so both requests queue behind it: the nomination first.
        Initiative.objects.select_for_update().get(pk=initiative.pk)
        nominate.start()
        wait_until_blocked(nominate, observer)
        reply.start()
        wait_until_blocked(reply, observer)
        # Released: the nomination goes first; the answer follows (or deadlocked, before).
    for request in (nominate, reply):
        request.join(timeout=30)
        assert not request.is_alive(), f"{request.name} did not finish in 30 s"

    assert [r.error for r in (nominate, reply)] == [None, None]
    assert nominate.response.status_code == 201, nominate.response.json()
    # Mei answered a handover that had just been replaced: refused, not a server error.
    assert reply.response.status_code == 403, reply.response.json()
    assert reply.response.json() == {
        "detail": f"Only the person named, while the handover is pending, may {answer} it."
    }
    statuses = dict(OwnershipHandover.objects.values_list("to_owner__username", "status"))
    assert statuses == {"mei": HandoverStatus.SUPERSEDED, "kenji": HandoverStatus.PENDING}
    initiative.refresh_from_db()
    assert (initiative.production_owner, initiative.owner_accepted_at) == (kenji, None)
