"""A system check that the health metric registry (`METRICS`), the model columns (reports,
thresholds, the daily roll-up) and the PORTAL_HEALTH_THRESHOLDS defaults name the same
metrics, so a metric added in one place and forgotten in another stops `manage.py check` (and
every deploy) instead of a page."""

from django.conf import settings
from django.core import checks

from initiatives.health.models import (
    METRICS,
    ROLLUP_PARTS,
    HealthDay,
    HealthReport,
    HealthThresholds,
)


def _columns(model) -> set[str]:
    return {f.name for f in model._meta.concrete_fields if f.get_internal_type() == "FloatField"}


@checks.register()
def health_metrics_agree(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    errors = []

    def error(message: str, id_: str) -> None:
        errors.append(checks.Error(message, obj="initiatives.health.models.METRICS", id=id_))

    reported = _columns(HealthReport)
    for name in sorted({m.name for m in METRICS} ^ reported):
        error(f"Health metric {name!r} is in METRICS or HealthReport but not both.", "health.E001")
    overrides = _columns(HealthThresholds) - {"silent_after_hours"}
    wanted = {f"{m.name}_{level}_{m.worse}" for m in METRICS for level in ("degraded", "failing")}
    for column in sorted(wanted ^ overrides):
        error(
            f"Health threshold column {column!r} is in METRICS or HealthThresholds but not both.",
            "health.E002",
        )
    rolled = {f.name for f in HealthDay._meta.concrete_fields}
    for m in METRICS:
        for part in ROLLUP_PARTS:
            if f"{m.name}_{part}" not in rolled:
                error(
                    f"Health metric {m.name!r} has no roll-up column {m.name}_{part} "
                    "(HealthDay): charts and statuses would not see it.",
                    "health.E005",
                )
    defaults = dict(settings.PORTAL_HEALTH_THRESHOLDS)
    if "silent_after_hours" not in defaults:
        error("PORTAL_HEALTH_THRESHOLDS has no 'silent_after_hours'.", "health.E003")
    defaults.pop("silent_after_hours", None)
    for name in sorted({m.name for m in METRICS} ^ set(defaults)):
        error(
            f"Health metric {name!r} is in METRICS or PORTAL_HEALTH_THRESHOLDS but not both.",
            "health.E003",
        )
    for m in METRICS:
        bounds = {f"degraded_{m.worse}", f"failing_{m.worse}"}
        if m.name in defaults and set(defaults[m.name]) != bounds:
            error(
                f"PORTAL_HEALTH_THRESHOLDS[{m.name!r}] must name {sorted(bounds)}.", "health.E004"
            )
    return errors
