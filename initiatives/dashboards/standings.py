"""The dashboards' counters (README "Dashboards at volume").

Each initiative counts for a set of keys: `total`, `stage:<stage>`, `reached:<stage>` (the
funnel), `stalled:<stage>` (POC and pilot with an open stalled flag), `health:<status>`
(production systems; `health:` not yet checked), `flag:<kind>` (each open flag),
`attention` (`portfolio.filtersets.needs_attention`) and `eu_ai_act:<category>` (the
latest confirmed classification, or `unclassified`). The portfolio summary and the
governance queue read the sums of those keys (`counts`), a few hundred rows whatever the
portfolio's size, and "needs attention" reads its first rows through one index.

On PostgreSQL the counts are kept by the database itself. `install` (run after every
`migrate`) creates `crossing_standing_refresh(ids)`, which recomputes the keys of the given
initiatives from their rows, flags, stage transitions and classifications, records the
change of each count, and keeps each initiative's keys in `Standing`; and a statement
trigger on each of those tables that calls it with the ids a statement touched. No write
path can forget it. A refresh locks the initiatives it recomputes (in id order), so two
transactions changing one initiative's flags are counted one after the other.

The SQL is generated here from the same constants the Python reads (the funnel, the valley,
the flag urgencies), fingerprinted, and re-installed with a full rebuild whenever it
changes. Migration 0041 installs it, being the newest migration of the tables it writes: a
later migration that changes them, or a table the SQL reads, ends with the same step.
`recount` computes the same counts with the ORM from scratch: it is what SQLite (the demo)
reads, and what `check_portal` compares the counters with.
"""

import hashlib
import re
from collections import Counter
from collections.abc import Iterable

from django.db import DEFAULT_DB_ALIAS, connection, connections, transaction
from django.db.models import Count, Q, Sum

from initiatives.core.choices import STAGE_ORDER, FlagKind, HealthStatus, Stage
from initiatives.dashboards.models import Standing, StandingCount
from initiatives.portfolio.filtersets import HEALTH_FLAG_KINDS, UNHEALTHY, needs_attention
from initiatives.portfolio.lifecycle import FUNNEL, VALLEY, reached_condition
from initiatives.portfolio.models import Initiative, StageTransition
from initiatives.regulation.models import Classification
from initiatives.regulation.selectors import CATEGORY_FILTER_CHOICES, with_category
from initiatives.watch.models import Flag

# Most urgent first: a production system down or blind, then a system nobody answers for,
# a model getting worse, work stuck in the valley of death, then the paperwork.
HEALTH_URGENCY = {HealthStatus.FAILING: 0, HealthStatus.SILENT: 1, HealthStatus.DEGRADED: 6}
FLAG_URGENCY = {
    FlagKind.OWNERLESS: 2,
    FlagKind.EVAL_REGRESSION: 3,
    FlagKind.STALLED: 4,
    FlagKind.STALE_OWNERSHIP: 5,
    FlagKind.REGULATORY_GAP: 3,  # a legal duty already in force, in production
    FlagKind.VALUE_SHORTFALL: 6,
    FlagKind.BUSINESS_CASE_MISSING: 7,
    FlagKind.VALUE_UNREPORTED: 8,
    FlagKind.UNCLASSIFIED: 8,
}
CALM = 99  # the rank of "no urgency of this kind"
# The governance queue's production systems, most urgent first (`Standing.health_rank`).
UNHEALTHY_ORDER = (HealthStatus.FAILING, HealthStatus.SILENT, HealthStatus.DEGRADED)

FUNCTION = "crossing_standing_refresh"
# The tables whose statements change what an initiative counts for, and the column that
# names the initiative.
WATCHED = {
    Initiative: "id",
    Flag: "initiative_id",
    StageTransition: "initiative_id",
    Classification: "initiative_id",
}

_WORD = re.compile(r"^[a-z_]*$")


def _literal(value: str) -> str:
    """A constant of the code (a stage, a flag kind) as an SQL string literal. Only lower
    case letters and underscores are accepted, so nothing needs escaping."""
    if not _WORD.match(str(value)):
        raise ValueError(f"not a plain word: {value!r}")
    return f"'{value}'"


def _in(values: Iterable[str]) -> str:
    return "(" + ", ".join(_literal(v) for v in values) + ")"


def _case(column: str, ranks: dict[str, int]) -> str:
    whens = " ".join(f"WHEN {_literal(k)} THEN {r}" for k, r in ranks.items())
    return f"CASE {column} {whens} END"


def _keys_sql() -> str:
    """The SELECT that gives, for the initiatives whose id is in the array `ids`, the row
    `Standing` keeps: its keys, its urgency and when it was first flagged."""
    initiative, flag = Initiative._meta.db_table, Flag._meta.db_table
    transition = StageTransition._meta.db_table
    classification = Classification._meta.db_table
    production = _literal(Stage.PRODUCTION)
    reached = []
    for stage in FUNNEL:
        later = STAGE_ORDER[STAGE_ORDER.index(stage) :]
        reached.append(
            f"CASE WHEN i.stage IN {_in(later)} OR EXISTS (SELECT 1 FROM {transition} t "  # nosec B608
            f"WHERE t.initiative_id = i.id AND (t.to_stage = {_literal(stage)} "
            f"OR t.from_stage = {_literal(stage)})) THEN 'reached:{stage}' END"
        )
    unhealthy = f"(i.stage = {production} AND i.health_status IN {_in(UNHEALTHY)})"
    attention = f"(f.attention OR {unhealthy})"
    health_rank = (
        f"CASE WHEN i.stage = {production} THEN {_case('i.health_status', HEALTH_URGENCY)} END"
    )
    urgency = (
        f"CASE WHEN {attention} THEN LEAST(COALESCE(f.rank, {CALM}), "
        f"COALESCE({health_rank}, {CALM})) END"
    )
    health_rank = (
        f"CASE WHEN i.stage = {production} THEN "
        f"{_case('i.health_status', {s: n for n, s in enumerate(UNHEALTHY_ORDER)})} END"
    )
    category = (
        f"(SELECT c.category FROM {classification} c WHERE c.initiative_id = i.id "  # nosec B608
        f"AND c.status = 'confirmed' ORDER BY c.version DESC LIMIT 1)"
    )
    keys = ", ".join(
        [
            "'total'",
            "'stage:' || i.stage",
            f"CASE WHEN i.stage = {production} THEN 'health:' || i.health_status END",
            *reached,
            f"CASE WHEN i.stage IN {_in(VALLEY)} AND f.stalled THEN 'stalled:' || i.stage END",
            f"CASE WHEN {attention} THEN 'attention' END",
            f"'eu_ai_act:' || COALESCE({category}, 'unclassified')",
        ]
    )
    return f"""
        SELECT i.id AS initiative_id, i.business_unit_id,
               array_to_string(ARRAY[{keys}] || COALESCE(f.flags, '{{}}'), ' ') AS keys,
               {urgency} AS urgency, f.since AS flagged_since, i.stage_entered_at, i.name,
               {health_rank} AS health_rank, f.health_since
        FROM {initiative} i
        LEFT JOIN LATERAL (
            SELECT array_agg('flag:' || kind ORDER BY kind) AS flags,
                   bool_or(kind NOT IN {_in(HEALTH_FLAG_KINDS)}) AS attention,
                   bool_or(kind = {_literal(FlagKind.STALLED)}) AS stalled,
                   MIN({_case("kind", FLAG_URGENCY)}) AS rank,
                   MIN(opened_at) AS since,
                   MIN(opened_at) FILTER (WHERE kind IN {_in(HEALTH_FLAG_KINDS)}) AS health_since
            FROM {flag} WHERE initiative_id = i.id AND resolved_at IS NULL
        ) f ON TRUE
        WHERE i.id = ANY(ids)"""  # nosec B608


def _refresh_function_sql() -> str:
    standing, count = Standing._meta.db_table, StandingCount._meta.db_table
    initiative = Initiative._meta.db_table
    return f"""
CREATE OR REPLACE FUNCTION {FUNCTION}(ids bigint[]) RETURNS void
LANGUAGE plpgsql AS $body$
BEGIN
    IF ids IS NULL OR cardinality(ids) = 0 THEN
        RETURN;
    END IF;
    -- One refresher per initiative at a time, in id order (no deadlock between two);
    -- the statements below then see what the one before committed.
    PERFORM 1 FROM {initiative} WHERE id = ANY(ids) ORDER BY id FOR NO KEY UPDATE;
    WITH fresh AS ({_keys_sql()}),
    stored AS (
        SELECT initiative_id, business_unit_id, keys FROM {standing}
        WHERE initiative_id = ANY(ids)
    ),
    changes AS (
        SELECT business_unit_id, key, SUM(n) AS n FROM (
            SELECT business_unit_id, unnest(string_to_array(keys, ' ')) AS key, 1 AS n
            FROM fresh
            UNION ALL
            SELECT business_unit_id, unnest(string_to_array(keys, ' ')), -1 FROM stored
        ) AS each_key
        GROUP BY business_unit_id, key
        HAVING SUM(n) <> 0
    ),
    counted AS (
        INSERT INTO {count} (business_unit_id, key, n)
        SELECT business_unit_id, key, n FROM changes
    ),
    gone AS (
        DELETE FROM {standing} s WHERE s.initiative_id = ANY(ids)
        AND NOT EXISTS (SELECT 1 FROM fresh WHERE fresh.initiative_id = s.initiative_id)
    )
    INSERT INTO {standing} AS s (initiative_id, business_unit_id, keys, urgency,
                                 flagged_since, stage_entered_at, name, health_rank,
                                 health_since)
    SELECT * FROM fresh
    ON CONFLICT (initiative_id) DO UPDATE SET
        business_unit_id = excluded.business_unit_id, keys = excluded.keys,
        urgency = excluded.urgency, flagged_since = excluded.flagged_since,
        stage_entered_at = excluded.stage_entered_at, name = excluded.name,
        health_rank = excluded.health_rank, health_since = excluded.health_since
    WHERE (s.business_unit_id, s.keys, s.urgency, s.flagged_since, s.stage_entered_at,
           s.name, s.health_rank, s.health_since) IS DISTINCT FROM
          (excluded.business_unit_id, excluded.keys, excluded.urgency,
           excluded.flagged_since, excluded.stage_entered_at, excluded.name,
           excluded.health_rank, excluded.health_since);
END
$body$"""  # nosec B608


# An UPDATE of an initiative changes its counts only through these columns.
_COUNTED_COLUMNS = ("business_unit_id", "stage", "health_status", "stage_entered_at", "name")


def _trigger_name(table: str, op: str) -> str:
    return f"{FUNCTION}_{table}_{op}"[:63]


def _trigger_sql() -> list[str]:
    """A statement trigger per watched table and operation, each with its function; the
    UPDATE of an initiative refreshes only the rows whose counted columns changed."""
    statements = []
    for model, column in WATCHED.items():
        table = model._meta.db_table
        for op in ("insert", "update", "delete"):
            name = _trigger_name(table, op)
            rows = {"insert": "new_rows", "update": "new_rows", "delete": "old_rows"}[op]
            ids = f"ARRAY(SELECT DISTINCT {column} FROM {rows})"  # nosec B608
            if model is Initiative and op == "update":
                changed = " OR ".join(f"n.{c} IS DISTINCT FROM o.{c}" for c in _COUNTED_COLUMNS)
                ids = (
                    "ARRAY(SELECT n.id FROM new_rows n JOIN old_rows o ON o.id = n.id "  # nosec B608
                    f"WHERE {changed})"
                )
            elif op == "update":
                ids = f"ARRAY(SELECT {column} FROM new_rows UNION SELECT {column} FROM old_rows)"  # nosec B608
            referencing = {
                "insert": "NEW TABLE AS new_rows",
                "update": "OLD TABLE AS old_rows NEW TABLE AS new_rows",
                "delete": "OLD TABLE AS old_rows",
            }[op]
            statements += [
                f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS "
                f"$body$ BEGIN PERFORM {FUNCTION}({ids}); RETURN NULL; END $body$",
                f"DROP TRIGGER IF EXISTS {name} ON {table}",
                f"CREATE TRIGGER {name} AFTER {op.upper()} ON {table} REFERENCING {referencing} "
                f"FOR EACH STATEMENT EXECUTE FUNCTION {name}()",
            ]
    return statements


def install_sql() -> list[str]:
    return [_refresh_function_sql(), *_trigger_sql()]


def fingerprint() -> str:
    return hashlib.sha256("\n".join(install_sql()).encode()).hexdigest()[:16]


def installed_fingerprint(using: str = DEFAULT_DB_ALIAS) -> str | None:
    with connections[using].cursor() as cursor:
        cursor.execute(
            "SELECT obj_description(p.oid, 'pg_proc') FROM pg_proc p WHERE p.proname = %s",
            [FUNCTION],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def install(*, force: bool = False, using: str = DEFAULT_DB_ALIAS) -> bool:
    """Install the functions and triggers if what is installed differs from this code's
    (or `force`), then rebuild every initiative's standing and the counts from scratch.
    PostgreSQL only; True when it installed."""
    if connections[using].vendor != "postgresql":
        return False
    wanted = fingerprint()
    if not force and installed_fingerprint(using) == wanted:
        return False
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        for statement in install_sql():
            cursor.execute(statement)
        cursor.execute(f"COMMENT ON FUNCTION {FUNCTION}(bigint[]) IS '{wanted}'")
        rebuild(using=using)
    return True


def uninstall(using: str = DEFAULT_DB_ALIAS) -> None:
    """Drop the triggers and their functions (migrating back past the counters)."""
    if connections[using].vendor != "postgresql":
        return
    with connections[using].cursor() as cursor:
        for model in WATCHED:
            table = model._meta.db_table
            for op in ("insert", "update", "delete"):
                name = _trigger_name(table, op)
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
        cursor.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}(bigint[])")


def rebuild(using: str = DEFAULT_DB_ALIAS) -> None:
    """Every initiative's standing and every count, from scratch (in the caller's
    transaction when there is one). Set-based: one statement."""
    with transaction.atomic(using=using), connections[using].cursor() as cursor:
        # Writers of the watched tables finish first, and wait for the rebuild: without it,
        # one holding an initiative's lock could wait for the counters this empties.
        for model in WATCHED:
            cursor.execute(f"LOCK TABLE {model._meta.db_table} IN SHARE ROW EXCLUSIVE MODE")
        cursor.execute(f"TRUNCATE {Standing._meta.db_table}, {StandingCount._meta.db_table}")
        cursor.execute(
            f"SELECT {FUNCTION}(ARRAY(SELECT id FROM {Initiative._meta.db_table}))"  # nosec B608
        )


def compact() -> int:
    """Fold the counts' change rows into one row per business unit and key (dropping the
    zeros): run by the beat every few minutes. Writers are not blocked: the rows they add
    meanwhile are kept. Returns how many rows there were."""
    if connection.vendor != "postgresql":
        return 0
    table = StandingCount._meta.db_table
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            f"""WITH gone AS (DELETE FROM {table} RETURNING business_unit_id, key, n)
                INSERT INTO {table} (business_unit_id, key, n)
                SELECT business_unit_id, key, SUM(n) FROM gone
                GROUP BY business_unit_id, key HAVING SUM(n) <> 0"""  # nosec B608
        )
        cursor.execute(f"SELECT COUNT(*) FROM {table}")  # nosec B608
        return cursor.fetchone()[0]


def counts(business_unit_id: int | None = None) -> Counter:
    """{key: count} for the whole portfolio or one business unit (keys counting nothing
    are left out). One query: the counters on PostgreSQL, `recount` elsewhere."""
    if connection.vendor != "postgresql":
        return recount(business_unit_id)
    rows = StandingCount.objects.all()
    if business_unit_id is not None:
        rows = rows.filter(business_unit_id=business_unit_id)
    summed = rows.values_list("key").annotate(total=Sum("n")).values_list("key", "total")
    return Counter({key: n for key, n in summed if n})


def recount(business_unit_id: int | None = None) -> Counter:
    """The same counts as `counts`, from scratch with the ORM (what `check_portal` compares
    the counters with, and what SQLite reads). Three queries."""
    initiatives = Initiative.objects.all()
    flags = Flag.objects.filter(resolved_at__isnull=True)
    if business_unit_id is not None:
        initiatives = initiatives.filter(business_unit_id=business_unit_id)
        flags = flags.filter(initiative__business_unit_id=business_unit_id)
    stalled = Flag.objects.filter(resolved_at__isnull=True, kind=FlagKind.STALLED)
    production = Q(stage=Stage.PRODUCTION)
    aggregates = {"total": Count("pk"), "attention": Count("pk", filter=needs_attention())}
    aggregates |= {f"stage:{s}": Count("pk", filter=Q(stage=s)) for s in Stage.values}
    aggregates |= {f"reached:{s}": Count("pk", filter=reached_condition(s)) for s in FUNNEL}
    aggregates |= {
        f"stalled:{s}": Count("pk", filter=Q(stage=s, pk__in=stalled.values("initiative_id")))
        for s in VALLEY
    }
    aggregates |= {
        f"health:{h}": Count("pk", filter=production & Q(health_status=h))
        for h in ["", *HealthStatus.values]
    }
    found = Counter(initiatives.aggregate(**aggregates))
    for kind, n in flags.values_list("kind").annotate(n=Count("pk")).values_list("kind", "n"):
        found[f"flag:{kind}"] = n
    categories = with_category(initiatives).aggregate(
        **{
            value: Count("pk", filter=Q(eu_ai_act__isnull=True))
            if value == "unclassified"
            else Count("pk", filter=Q(eu_ai_act=value))
            for value, _ in CATEGORY_FILTER_CHOICES
        }
    )
    for value, n in categories.items():
        found[f"eu_ai_act:{value}"] = n
    return Counter({key: n for key, n in found.items() if n})


def drift(business_unit_id: int | None = None) -> dict[str, tuple[int, int]]:
    """{key: (counted, recounted)} where the counters differ from a recount (empty when
    they agree). Not on SQLite, where the counts are the recount."""
    if connection.vendor != "postgresql":
        return {}
    counted, recounted = counts(business_unit_id), recount(business_unit_id)
    return {
        key: (counted[key], recounted[key])
        for key in sorted(set(counted) | set(recounted))
        if counted[key] != recounted[key]
    }
