"""Structured logs: structlog over the standard library, one JSON object per line.

Every line carries the request id of the request (or the task a request started) that
wrote it, and nothing secret: tokens in URLs and headers, passwords and credentials in
URLs are replaced by `[redacted]` in every line, ours and the libraries'.
"""

import logging.config
import re
import time
import uuid

import structlog

REDACTED = "[redacted]"

# Keys whose values are never logged, whatever they hold.
SECRET_KEYS = re.compile(
    r"authorization|password|passwd|secret|token|cookie|csrf|session|api[_-]?key", re.IGNORECASE
)
# Secrets inside free text: the one-click confirmation link, API tokens in headers, secrets
# in query strings and credentials in URLs (a DATABASE_URL in an error message, say).
SECRET_PATTERNS = [
    (re.compile(r"(/ownership/confirm/)[^/\s?#\"']+"), r"\1" + REDACTED),
    (re.compile(r"\b(Token|Bearer|Basic)\s+[A-Za-z0-9._~+/=:-]+"), r"\1 " + REDACTED),
    (
        re.compile(
            # Any parameter whose name contains one of these words: api_key, access_token,
            # client_secret, X-Amz-Signature, password2...
            r"([?&;][^=&\s#\"']*?"
            r"(?:token|passw|secret|key|sig|code|session|csrf|auth|credential)"
            r"[^=&\s#\"']*=)[^&\s#\"']*",
            re.IGNORECASE,
        ),
        r"\1" + REDACTED,
    ),
    (
        re.compile(r"(\b[a-z][a-z0-9+.-]*://[^:/@\s]*:)[^@\s/]+@", re.IGNORECASE),
        r"\1" + REDACTED + "@",
    ),
]


def redact_text(text: str) -> str:
    for pattern, replacement in SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact(value):
    if isinstance(value, str):
        return redact_text(value)
    if isinstance(value, dict):
        return {
            k: REDACTED if isinstance(k, str) and SECRET_KEYS.search(k) else _redact(v)
            for k, v in value.items()
        }
    if type(value) in (list, tuple):
        return type(value)(_redact(v) for v in value)
    return value


def redact_secrets(logger, method_name, event_dict):
    """structlog processor: the last word before a line is written."""
    return _redact(event_dict)


# --- Configuration --------------------------------------------------------------------------

# Run on every line, structlog's and the standard library's ("foreign") alike.
SHARED_PROCESSORS = [
    structlog.contextvars.merge_contextvars,
    structlog.stdlib.add_log_level,
    structlog.stdlib.add_logger_name,
    structlog.processors.TimeStamper(fmt="iso", utc=True),
]


def configure_structlog() -> None:
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *SHARED_PROCESSORS,
            structlog.stdlib.PositionalArgumentsFormatter(),
            structlog.processors.StackInfoRenderer(),
            structlog.processors.UnicodeDecoder(),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=True,
    )


def configure(config: dict) -> None:
    """settings.LOGGING_CONFIG: Django calls it with settings.LOGGING when it sets up, and
    Celery's worker and beat call it too (portal/celery.py). structlog first, so the first
    line any process writes is already structured."""
    configure_structlog()
    logging.config.dictConfig(config)


def logging_config(*, log_format: str, level: str) -> dict:
    """settings.LOGGING: one handler on stderr, JSON lines or a console for people."""
    renderer = (
        structlog.processors.JSONRenderer()
        if log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "structured": {
                "()": structlog.stdlib.ProcessorFormatter,
                "foreign_pre_chain": SHARED_PROCESSORS,
                "processors": [
                    structlog.stdlib.ProcessorFormatter.remove_processors_meta,
                    structlog.processors.format_exc_info,
                    redact_secrets,
                    renderer,
                ],
            }
        },
        "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "structured"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            # Django's own request lines: ours (ops.requests) say the same, with the request id.
            "django.server": {"level": "WARNING"},
            # WeasyPrint narrates every step of every evidence-pack PDF at INFO.
            "weasyprint.progress": {"level": "WARNING"},
        },
    }


# --- Request ids ----------------------------------------------------------------------------

REQUEST_ID_HEADER = "X-Request-ID"
# A proxy's or a client's id is kept when it is plainly an id: short, no spaces, no markup.
SANE_REQUEST_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")


def request_id_from(incoming: str | None) -> str:
    if incoming and SANE_REQUEST_ID.match(incoming):
        return incoming
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def bind_request_id(request_id: str, **extra) -> None:
    structlog.contextvars.clear_contextvars()
    structlog.contextvars.bind_contextvars(request_id=request_id, **extra)


access_logger = structlog.get_logger("ops.requests")


class RequestIdMiddleware:
    """Gives every request an id (the caller's `X-Request-ID` when sane), binds it to every
    log line the request writes and to every task it queues, echoes it in the response, and
    writes one line per request (path redacted)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = request_id_from(request.headers.get(REQUEST_ID_HEADER))
        request.request_id = request_id
        bind_request_id(request_id)
        started = time.perf_counter()
        try:
            response = self.get_response(request)
        except Exception:
            structlog.contextvars.clear_contextvars()
            raise
        response[REQUEST_ID_HEADER] = request_id
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        access_logger.info(
            "request_finished",
            method=request.method,
            path=request.get_full_path(),
            view=match.view_name if match else None,
            status=response.status_code,
            duration_ms=round((time.perf_counter() - started) * 1000, 1),
            user_id=user.pk if user is not None and user.is_authenticated else None,
        )
        structlog.contextvars.clear_contextvars()
        return response
