"""Build the daily health roll-up from the reports already stored: one INSERT ... SELECT
(grouped by initiative and day in PORTAL_TIME_ZONE) and one UPDATE for the last values,
however many reports. The metrics are written out: a migration keeps the registry as it was
when it was made."""

from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import migrations
from django.db.models import Count, F, FloatField, Max, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import Coalesce, TruncDate

METRICS = (
    "availability",
    "latency_p95_ms",
    "error_rate",
    "data_freshness_hours",
    "data_quality_pass_rate",
    "eval_score",
)


def build(apps, schema_editor):
    report_model = apps.get_model("initiatives", "HealthReport")
    day_model = apps.get_model("initiatives", "HealthDay")
    per_metric = {}
    for name in METRICS:
        per_metric[f"{name}_count"] = Count(name)
        per_metric[f"{name}_sum"] = Coalesce(Sum(name), Value(0.0))
        per_metric[f"{name}_sum_sq"] = Coalesce(
            Sum(F(name) * F(name), output_field=FloatField()), Value(0.0)
        )
        per_metric[f"{name}_last_at"] = Max("observed_at", filter=Q(**{f"{name}__isnull": False}))
    recount = (
        report_model.objects.annotate(
            day=TruncDate("observed_at", tzinfo=ZoneInfo(settings.TIME_ZONE))
        )
        .values("initiative_id", "day")
        .annotate(reports=Count("pk"), latest_at=Max("observed_at"), **per_metric)
        .order_by()
    )
    sql, params = recount.query.sql_with_params()
    columns = [*recount.query.values_select, *recount.query.annotation_select]
    connection = schema_editor.connection
    quoted = ", ".join(connection.ops.quote_name(c) for c in columns)
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {day_model._meta.db_table} ({quoted}) {sql}", params)
    day_model.objects.update(
        **{
            f"{name}_last": Subquery(
                report_model.objects.filter(
                    initiative=OuterRef("initiative"), observed_at=OuterRef(f"{name}_last_at")
                ).values(name)[:1]
            )
            for name in METRICS
        }
    )


def unbuild(apps, schema_editor):
    apps.get_model("initiatives", "HealthDay").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("initiatives", "0028_rollup")]

    operations = [migrations.RunPython(build, unbuild)]
