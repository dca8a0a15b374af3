"""Settings come from the environment; production refuses to start without a secret."""

import ast
import json
import os
import re
import subprocess
import sys
from pathlib import Path

from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]


def load_settings(**env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean.update(env)
    return subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.conf import settings; "
            "print(settings.DEBUG, settings.DATABASES['default']['ENGINE'], "
            "settings.EMAIL_BACKEND, settings.CELERY_BROKER_URL, settings.ALLOWED_HOSTS)",
        ],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_production_without_a_secret_key_is_a_clear_startup_error():
    result = load_settings(DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "ImproperlyConfigured: DJANGO_SECRET_KEY is not set" in result.stderr


def test_debug_runs_on_embedded_defaults():
    result = load_settings(DJANGO_DEBUG="1", CELERY_BROKER_URL="", EMAIL_HOST="", DATABASE_URL="")
    assert result.returncode == 0, result.stderr
    debug, engine, backend, broker, _hosts = result.stdout.split(" ", 4)
    assert debug == "True"
    assert engine == "django_prometheus.db.backends.sqlite3"  # Django's, counting queries
    assert backend == "django.core.mail.backends.filebased.EmailBackend"
    assert broker == "filesystem://"


def test_production_reads_every_service_from_the_environment():
    result = load_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 50,
        DJANGO_ALLOWED_HOSTS="crossing.example.com",
        DATABASE_URL="postgres://crossing:pw@db.internal:5432/crossing",
        CELERY_BROKER_URL="redis://cache.internal:6379/0",
        EMAIL_HOST="smtp.internal",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split(" ", 4) == [
        "False",
        "django_prometheus.db.backends.postgresql",
        "django.core.mail.backends.smtp.EmailBackend",
        "redis://cache.internal:6379/0",
        "['crossing.example.com']\n",
    ]


def test_an_unknown_log_format_is_a_clear_startup_error():
    result = load_settings(DJANGO_DEBUG="1", PORTAL_LOG_FORMAT="xml")
    assert result.returncode != 0
    assert "PORTAL_LOG_FORMAT must be json or console, not 'xml'" in result.stderr


def test_a_throttle_rate_that_is_not_a_rate_is_a_clear_startup_error():
    """Found by review: API_THROTTLE_USER=fast passed every check, then every API call
    failed with a 500."""
    result = load_settings(DJANGO_DEBUG="1", API_THROTTLE_USER="fast")
    assert result.returncode != 0
    assert "API_THROTTLE_USER='fast' is not a rate" in result.stderr
    assert load_settings(DJANGO_DEBUG="1", API_THROTTLE_USER="off").returncode == 0


def test_the_cache_url_key_prefix_reaches_django():
    """Found by review: django-environ left `key_prefix` where Django's Redis cache never
    looks, so throttle counts shared keys with anything else in the same Redis database."""
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import django; django.setup(); from django.core.cache import cache; "
            "print(cache.key_prefix, cache.default_timeout)",
        ],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
            "DJANGO_SETTINGS_MODULE": "portal.settings",
            "DJANGO_DEBUG": "1",
            "CACHE_URL": "redis://127.0.0.1:6379/1?key_prefix=crossing&timeout=120",
        },
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["crossing", "120"]


# --- Logging is set up by Django, not by importing settings --------------------------------


def run_python(code: str, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_"))}
    return subprocess.run(  # noqa: S603 (this interpreter, code written in the tests)
        [sys.executable, "-c", code],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "portal.settings", **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def json_log_lines(stderr: str) -> list[dict]:
    return [json.loads(line) for line in stderr.splitlines() if line.startswith("{")]


def test_importing_the_settings_sets_up_no_logging_until_django_does():
    """Found by review: importing the settings configured structlog, a side effect of an
    import; Django now sets logging up (LOGGING_CONFIG) when it sets up, the same as before."""
    result = run_python(
        "import structlog, portal.settings; print(structlog.is_configured()); "
        "import django; django.setup(); print(structlog.is_configured()); "
        "structlog.get_logger('tests').info('signed_in', password='hunter2-SECRET')",
        DJANGO_DEBUG="1",
        PORTAL_LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "True"]
    (line,) = [line for line in json_log_lines(result.stderr) if line["event"] == "signed_in"]
    assert (line["password"], line["level"], line["logger"]) == ("[redacted]", "info", "tests")


def test_celery_workers_and_beat_log_like_the_web():
    """Celery sets up its processes' logging itself (the setup_logging signal): structured,
    secrets redacted, even before Django is set up."""
    result = run_python(
        "from celery.signals import setup_logging; from portal.celery import app; "
        "setup_logging.send(sender=None, loglevel='INFO', logfile=None, format='', "
        "colorize=False); import structlog; "
        "structlog.get_logger('worker').info('task_done', token='SECRET-TOKEN')",
        DJANGO_DEBUG="1",
        PORTAL_LOG_FORMAT="json",
    )
    assert result.returncode == 0, result.stderr
    (line,) = [line for line in json_log_lines(result.stderr) if line["event"] == "task_done"]
    assert line["token"] == "[redacted]"
    assert "SECRET-TOKEN" not in result.stderr


# --- Every PORTAL_* setting in one place, and the README's table true ----------------------

SETTINGS_PACKAGE = ROOT / "portal" / "settings"
PORTAL_RULES = SETTINGS_PACKAGE / "portal.py"
# Defaults computed in ways the check below does not read; checked against the README by hand.
DEFAULTS_CHECKED_BY_HAND = {
    "DATABASE_URL",  # sqlite:///var/crossing.sqlite3
    "DJANGO_SECURE_SSL_REDIRECT",  # on in production, off in debug
    "DJANGO_SESSION_COOKIE_SECURE",  # on in production, off in debug
    "DJANGO_CSRF_COOKIE_SECURE",  # on in production, off in debug
    "PORTAL_REPORTING_CURRENCY",  # the first of PORTAL_CURRENCIES
}


def settings_modules() -> dict[str, ast.Module]:
    return {path.name: ast.parse(path.read_text()) for path in SETTINGS_PACKAGE.glob("*.py")}


def assigned_names(tree: ast.Module) -> list[str]:
    """Every module-level name a settings module assigns (in `if` blocks too)."""
    names = []
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.Lambda):
            continue
        if isinstance(node, ast.Assign):
            names += [target.id for target in node.targets if isinstance(target, ast.Name)]
    return names


def environment_reads(tree: ast.Module) -> dict[str, ast.expr | None]:
    """Every environment variable a settings module reads, with its default's expression:
    `env.int("NAME", default=...)`, `env.str("NAME", default="") or FALLBACK`, and the API's
    `_rate("NAME", "60/minute")`."""
    reads: dict[str, ast.expr | None] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.BoolOp) and isinstance(node.op, ast.Or):
            name = _read_name(node.values[0])
            if name:
                reads[name] = node.values[1]
    for node in ast.walk(tree):
        name = _read_name(node)
        if name and name not in reads:
            default = {kw.arg: kw.value for kw in node.keywords}.get("default")
            reads[name] = default if default is not None else (node.args[1:2] or [None])[0]
    return reads


def _read_name(node: ast.AST) -> str | None:
    if not isinstance(node, ast.Call) or not node.args:
        return None
    func = node.func
    reads_env = (isinstance(func, ast.Attribute) and getattr(func.value, "id", "") == "env") or (
        isinstance(func, ast.Name) and func.id == "_rate"
    )
    first = node.args[0]
    if reads_env and isinstance(first, ast.Constant) and isinstance(first.value, str):
        return first.value
    return None


def readme_defaults(expression: ast.expr | None) -> list[str] | None:
    """What the README's default column must show for a default, or None when unreadable."""
    if expression is None:
        return None
    if isinstance(expression, ast.IfExp):  # `X if DEBUG else Y`: the column names both
        body, orelse = readme_defaults(expression.body), readme_defaults(expression.orelse)
        return body + orelse if body is not None and orelse is not None else None
    if (  # str(VAR_DIR / "mail"): a folder under var/
        isinstance(expression, ast.Call)
        and getattr(expression.func, "id", "") == "str"
        and isinstance(expression.args[0], ast.BinOp)
        and getattr(expression.args[0].left, "id", "") == "VAR_DIR"
    ):
        return [f"`var/{expression.args[0].right.value}`"]
    try:
        value = _constant(expression)
    except ValueError:
        return None
    if value is None or value in ("", []):
        return ["none"]
    if isinstance(value, bool):
        return ["on" if value else "off"]
    if isinstance(value, float):
        return [f"`{value:g}`"]
    if isinstance(value, list):
        return [f"`{','.join(value)}`"]
    return [f"`{value}`"]


def _constant(node: ast.expr):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.List):
        return [_constant(item) for item in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        return _constant(node.left) * _constant(node.right)
    raise ValueError(ast.dump(node))


def readme_table() -> dict[str, str]:
    """README's environment-variable table: each variable and its default, as written."""
    text = (ROOT / "README.md").read_text()
    table = text.split("### Environment variables", 1)[1].split("\n#", 1)[0]
    defaults = {}
    for row in table.splitlines():
        cells = [cell.strip() for cell in row.strip().strip("|").split("|")]
        if len(cells) != 3 or not cells[0].startswith("`"):
            continue
        names = re.findall(r"`([A-Z][A-Z0-9_]*)`", cells[0])
        parts = cells[1].split(" / ")
        for index, name in enumerate(names):
            defaults[name] = parts[index] if len(parts) == len(names) else cells[1]
    return defaults


def test_every_portal_setting_is_defined_once_with_its_meaning_in_the_portal_rules():
    modules = settings_modules()
    rules = modules.pop("portal.py")
    for name, tree in modules.items():
        elsewhere = [n for n in assigned_names(tree) if n.startswith("PORTAL_")]
        elsewhere += [n for n in environment_reads(tree) if n.startswith("PORTAL_")]
        assert elsewhere == [], f"portal/settings/{name} defines or reads {elsewhere}"

    defined = [n for n in assigned_names(rules) if n.startswith("PORTAL_")]
    assert len(defined) == len(set(defined)), "a PORTAL_* setting is assigned twice"
    assert {n for n in dir(settings) if n.startswith("PORTAL_")} == set(defined)
    # Each environment variable is the setting of the same name.
    assert {n for n in environment_reads(rules) if n.startswith("PORTAL_")} <= set(defined)
    # Each setting says what it means, in a comment right above it.
    lines = PORTAL_RULES.read_text().splitlines()
    for node in rules.body:
        if isinstance(node, ast.Assign) and node.targets[0].id.startswith("PORTAL_"):
            above = lines[node.lineno - 2].strip()
            assert above.startswith("# "), f"{node.targets[0].id} has no comment above it"


def test_every_portal_setting_is_in_the_readme():
    table = readme_table()
    rules = ast.parse(PORTAL_RULES.read_text())
    from_environment = environment_reads(rules)
    readme = (ROOT / "README.md").read_text()
    for name in (n for n in assigned_names(rules) if n.startswith("PORTAL_")):
        if name in from_environment:
            assert name in table, f"{name} is missing from the README's environment table"
        else:  # PORTAL_HEALTH_THRESHOLDS: not one variable; the README says where it is
            assert f"`{name}`" in readme
    # And the table lists no PORTAL_* variable the portal no longer reads.
    assert {n for n in table if n.startswith("PORTAL_")} <= set(from_environment)


def test_every_variable_the_settings_read_is_in_the_readme_with_its_default():
    table = readme_table()
    unreadable = set()
    for tree in settings_modules().values():
        for name, default in environment_reads(tree).items():
            assert name in table, f"{name} is missing from the README's environment table"
            expected = readme_defaults(default)
            if expected is None:
                unreadable.add(name)
                continue
            written = table[name].replace("empty", "none")  # of a string: the same
            for shown in expected:
                assert shown in written, f"README: {name} defaults to {shown}"
    assert unreadable == DEFAULTS_CHECKED_BY_HAND
