"""The load test (README "Load test"): 50 people browsing, 10 API clients reading, 20
production systems pushing health, against gunicorn, PostgreSQL, Redis, a Celery worker and
beat. Run by `loadtest/run.sh` (`make loadtest`), which writes the credentials this file
reads (LOADTEST_FIXTURE, from `loadtest/prepare.py`).

Any response other than the expected status (a 4xx, a 5xx, a page that sends a signed-in
person back to the sign-in form) is a failure, and any failure makes the run exit non-zero.
At the end it prints requests per second and the 50th, 95th and 99th percentiles per page
and endpoint.
"""

import itertools
import json
import os
import random
import re
from datetime import UTC, datetime
from pathlib import Path

from locust import HttpUser, between, constant, events, task

FIXTURE = json.loads(Path(os.environ["LOADTEST_FIXTURE"]).read_text())
_people = itertools.cycle(FIXTURE["people"])
_api_clients = itertools.cycle(FIXTURE["api_clients"])
_systems = itertools.cycle(FIXTURE["systems"])
SEARCHES = ["fraud", "claims", "forecast", "kyc", "invoice", "router", "assistant"]
ORDERINGS = ["name", "-name", "stage", "-stage", "stage_entered_at", "-stage_entered_at"]
STAGES = ["idea", "poc", "pilot", "production", "retired", "cancelled"]
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def _slug() -> str:
    return random.choice(FIXTURE["slugs"])  # noqa: S311 - not security


class Person(HttpUser):
    """Someone at the portal: the portfolio, the list (filtered, sorted, searched, deep
    pages), initiative pages, their work and, for reviewers, the governance queue."""

    fixed_count = 50
    wait_time = between(1, 5)

    def on_start(self) -> None:
        me = next(_people)
        self.reviewer = me["reviewer"]
        page = self.client.get("/accounts/login/", name="sign-in page")
        token = CSRF.search(page.text).group(1)
        with self.client.post(
            "/accounts/login/",
            {"username": me["username"], "password": me["password"], "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.host}/accounts/login/"},
            name="sign in",
            catch_response=True,
        ) as response:
            # A request that failed outright (a reset connection) has no url: Locust counts it.
            if response.url and "/accounts/login/" in response.url:
                response.failure(f"{me['username']} could not sign in")

    def _page(self, url: str, name: str) -> None:
        with self.client.get(url, name=name, catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{url} answered {response.status_code}")
            elif response.url and "/accounts/login/" in response.url:
                response.failure(f"{url} sent a signed-in person to the sign-in page")

    @task(3)
    def portfolio(self) -> None:
        self._page("/", "portfolio")

    @task(1)
    def portfolio_of_a_unit(self) -> None:
        unit = random.choice(FIXTURE["business_units"])  # noqa: S311
        self._page(f"/?business_unit={unit}", "portfolio, one business unit")

    @task(3)
    def initiative_list(self) -> None:
        self._page("/initiatives/", "initiative list")

    @task(2)
    def list_filtered_and_sorted(self) -> None:
        stage, ordering = random.choice(STAGES), random.choice(ORDERINGS)  # noqa: S311
        self._page(f"/initiatives/?stage={stage}&ordering={ordering}", "list, filtered and sorted")

    @task(2)
    def list_searched(self) -> None:
        self._page(f"/initiatives/?q={random.choice(SEARCHES)}", "list, search")  # noqa: S311

    @task(1)
    def list_deep_page(self) -> None:
        page = random.randint(100, FIXTURE["initiatives"] // 50)  # noqa: S311
        self._page(f"/initiatives/?page={page}", "list, deep page")

    @task(4)
    def initiative_page(self) -> None:
        self._page(f"/initiatives/{_slug()}/", "initiative page")

    @task(2)
    def my_work(self) -> None:
        self._page("/my-work/", "my work")

    @task(2)
    def governance_queue(self) -> None:
        if self.reviewer:
            self._page("/governance/", "governance queue")


class ApiClient(HttpUser):
    """A reporting tool reading the inventory: list pages, filtered pages, details."""

    fixed_count = 10
    wait_time = between(1, 3)

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Token {next(_api_clients)['token']}"

    @task(3)
    def list_page(self) -> None:
        page = random.randint(1, FIXTURE["initiatives"] // 50)  # noqa: S311
        self.client.get(f"/api/v1/initiatives/?page={page}", name="API list, a page")

    @task(2)
    def list_filtered(self) -> None:
        stage = random.choice(STAGES)  # noqa: S311
        self.client.get(
            f"/api/v1/initiatives/?stage={stage}&ordering=-stage_entered_at",
            name="API list, filtered and sorted",
        )

    @task(4)
    def detail(self) -> None:
        self.client.get(f"/api/v1/initiatives/{_slug()}/", name="API initiative")


class ProductionSystem(HttpUser):
    """A production system pushing its health every few seconds (one report a push)."""

    fixed_count = 20
    wait_time = constant(5)

    def on_start(self) -> None:
        me = next(_systems)
        self.url = f"/api/v1/initiatives/{me['slug']}/health/reports/"
        self.client.headers["Authorization"] = f"Token {me['token']}"

    @task
    def push(self) -> None:
        report = {
            "observed_at": datetime.now(UTC).isoformat(),
            "availability": round(random.uniform(99, 100), 3),  # noqa: S311
            "latency_p95_ms": round(random.uniform(80, 400), 1),  # noqa: S311
            "error_rate": round(random.uniform(0, 0.01), 4),  # noqa: S311
            "eval_score": round(random.uniform(0.88, 0.92), 3),  # noqa: S311
        }
        with self.client.post(
            self.url, json=[report], name="API health push", catch_response=True
        ) as response:
            if response.status_code != 201:
                response.failure(f"push answered {response.status_code}: {response.text[:200]}")


# Every failure of the whole run, ramp-up included (the statistics restart once everyone
# has signed in, `--reset-stats`, so the figures are the steady state).
FAILURES: list[str] = []


@events.request.add_listener
def remember_failure(request_type, name, exception=None, **kwargs) -> None:
    if exception:
        FAILURES.append(f"{request_type} {name}: {exception}")


@events.quitting.add_listener
def report(environment, **kwargs) -> None:
    """Requests per second and percentiles per page and endpoint; exit 1 on any failure."""
    stats = environment.runner.stats
    print(f"\n{'page or endpoint':34} {'requests':>8} {'failed':>6} {'req/s':>6}"
          f" {'p50':>6} {'p95':>6} {'p99':>6}  (ms)")  # fmt: skip
    for entry in [*sorted(stats.entries.values(), key=lambda e: e.name), stats.total]:
        if not entry.num_requests:
            continue
        p50, p95, p99 = (entry.get_response_time_percentile(p) for p in (0.5, 0.95, 0.99))
        print(
            f"{entry.name or 'all':34} {entry.num_requests:8d} {entry.num_failures:6d} "
            f"{entry.total_rps:6.1f} {p50:6.0f} {p95:6.0f} {p99:6.0f}"
        )
    for failure in FAILURES[:20]:
        print(f"FAILED {failure}")
    if FAILURES:
        environment.process_exit_code = 1
        print(f"\nLOAD TEST FAILED: {len(FAILURES)} error responses")
    else:
        print(f"\nLoad test passed: {stats.total.num_requests} requests, no error response")
