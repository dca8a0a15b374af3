"""Prometheus metrics at /metrics.

Three sources, one page:
- django-prometheus: requests, latency and responses per view, database queries. Under
  gunicorn its counters live in each web worker's memory; with PROMETHEUS_MULTIPROC_DIR set
  (gunicorn.conf.py sets it) every worker writes them to files there and a scrape adds
  them up, so whichever worker answers, the figures are the whole server's.
- Celery task outcomes: counted in the database by the worker that saw them
  (`TaskOutcomeCount`), because workers are other processes, often on other hosts, that
  serve no page; a counter in the database survives their restarts and adds up across them.
- The portfolio's own gauges, computed set-based at scrape time (a fixed handful of
  queries, whatever the size of the portfolio).
"""

import os

import prometheus_client
from django.db import IntegrityError, transaction
from django.db.models import Count, F
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector

from ops.models import TaskOutcomeCount

TASK_OUTCOMES = ("succeeded", "failed", "retried")


def record_task_outcome(task: str, outcome: str) -> None:
    """Add one to the count of `task` ending with `outcome`; safe under concurrent workers."""
    counts = TaskOutcomeCount.objects.filter(task=task, outcome=outcome)
    if counts.update(count=F("count") + 1):
        return
    try:
        with transaction.atomic():
            TaskOutcomeCount.objects.create(task=task, outcome=outcome, count=1)
    except IntegrityError:  # another worker created it first
        counts.update(count=F("count") + 1)


class PortfolioCollector:
    """The portfolio as gauges, read at scrape time."""

    def collect(self):
        from initiatives.core.choices import EmailStatus
        from initiatives.models import EmailRecord
        from initiatives.portfolio import selectors as portfolio_selectors
        from initiatives.watch import selectors as watch_selectors

        stages = GaugeMetricFamily(
            "crossing_initiatives", "Initiatives in each stage.", labels=["stage"]
        )
        for stage, count in portfolio_selectors.stage_counts().items():
            stages.add_metric([stage], count)
        yield stages

        flags = GaugeMetricFamily(
            "crossing_open_flags", "Open flags of each kind.", labels=["kind"]
        )
        for _label, kind, count in watch_selectors.open_flag_counts():
            flags.add_metric([kind], count)
        yield flags

        mails = GaugeMetricFamily(
            "crossing_emails",
            "Recorded e-mails by status (sent, failed, and those still on their way).",
            labels=["status"],
        )
        by_status = dict(
            EmailRecord.objects.order_by().values_list("status").annotate(n=Count("pk"))
        )
        for status in EmailStatus.values:
            mails.add_metric([status], by_status.get(status, 0))
        yield mails

        tasks = CounterMetricFamily(
            "crossing_celery_tasks",
            "Celery tasks finished, by task and outcome (succeeded, failed, retried).",
            labels=["task", "outcome"],
        )
        for task, outcome, count in TaskOutcomeCount.objects.order_by(
            "task", "outcome"
        ).values_list("task", "outcome", "count"):
            tasks.add_metric([task, outcome], count)
        yield tasks

        last = watch_selectors.last_scan_finished_at()
        finished = GaugeMetricFamily(
            "crossing_last_scan_finished_timestamp_seconds",
            "When the last portfolio scan finished (Unix time; 0 if none ever did).",
        )
        finished.add_metric([], last.timestamp() if last else 0)
        yield finished
        overdue = GaugeMetricFamily(
            "crossing_scan_overdue",
            "1 when no scan has finished within two scan intervals (is beat running?).",
        )
        overdue.add_metric([], int(watch_selectors.scan_overdue()))
        yield overdue


def render() -> bytes:
    """The whole exposition: this process's (or every web worker's) metrics, then ours."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = prometheus_client.CollectorRegistry()
        MultiProcessCollector(registry)
    else:
        registry = prometheus_client.REGISTRY
    portfolio = prometheus_client.CollectorRegistry(auto_describe=False)
    portfolio.register(PortfolioCollector())
    return prometheus_client.generate_latest(registry) + prometheus_client.generate_latest(
        portfolio
    )
