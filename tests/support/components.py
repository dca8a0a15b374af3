"""Real components for the integration tests: SMTP servers, Redis servers, Celery workers.

Everything here is started by a test and stopped in a `finally`, and every wait is bounded,
so a broken component fails one test quickly instead of hanging the suite.
"""

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path
from urllib.parse import quote, urlparse

import pytest
from celery.signals import task_postrun
from django.conf import settings
from django.db import OperationalError, connection
from kombu import pools
from kombu.utils.collections import eqhash

from portal.celery import app

WAIT_SECONDS = 30.0


def wait_for(condition: Callable[[], bool], timeout: float = WAIT_SECONDS) -> bool:
    """Poll `condition` until it holds or `timeout` seconds pass.

    A poll that meets a table locked by the worker (SQLite's shared in-memory test
    database) just polls again.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if condition():
                return True
        except OperationalError:
            pass
        time.sleep(0.2)
    return bool(condition())


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def require_postgresql(why: str) -> None:
    if connection.vendor != "postgresql":
        pytest.skip(
            f"needs PostgreSQL (CI runs it); the test database is {connection.display_name}: {why}"
        )


# --- SMTP -----------------------------------------------------------------------------------

REFUSE = "refuse"  # answer DATA with 451 (a temporary failure: try again later)
STALL = "stall"  # hold DATA without answering until released, then give up with 451
HOLD = "hold"  # hold DATA without answering until released, then accept it
ACCEPT = "accept"


@dataclass
class ScriptedSMTPHandler:
    """An aiosmtpd handler that answers each DATA by the next step of `script`, then accepts
    everything. `accepted` holds the messages it took responsibility for (answered 250)."""

    script: list[str] = field(default_factory=list)
    attempts: int = 0
    accepted: list[EmailMessage] = field(default_factory=list)
    stalled: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server, session, envelope) -> str:
        self.attempts += 1
        step = self.script.pop(0) if self.script else ACCEPT
        if step == REFUSE:
            return "451 4.3.0 Temporary failure, try again later"
        if step in (STALL, HOLD):
            self.stalled.set()
            deadline = time.monotonic() + WAIT_SECONDS
            while not self.release.is_set() and time.monotonic() < deadline:
                await asyncio.sleep(0.05)
            if step == STALL:
                return "451 4.3.0 Gave up waiting"
        self.accepted.append(message_from_bytes(envelope.content, policy=default_policy))
        return "250 2.0.0 Message accepted for delivery"


@dataclass
class SMTPServer:
    host: str
    port: int
    handler: ScriptedSMTPHandler

    @property
    def accepted(self) -> list[EmailMessage]:
        return list(self.handler.accepted)


@contextmanager
def smtp_server(*script: str) -> Iterator[SMTPServer]:
    """A real SMTP server on 127.0.0.1 and a free port, in a thread of its own."""
    from aiosmtpd.controller import Controller

    handler = ScriptedSMTPHandler(script=list(script))
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10)
    controller.start()
    try:
        yield SMTPServer("127.0.0.1", port, handler)
    finally:
        handler.release.set()
        controller.stop()


def use_smtp(settings_fixture, server: SMTPServer) -> None:
    """Point Django's e-mail at `server` for this test (the `settings` fixture restores it)."""
    settings_fixture.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings_fixture.EMAIL_HOST = server.host
    settings_fixture.EMAIL_PORT = server.port
    settings_fixture.EMAIL_USE_TLS = False
    settings_fixture.EMAIL_USE_SSL = False
    settings_fixture.EMAIL_HOST_USER = ""
    settings_fixture.EMAIL_HOST_PASSWORD = ""
    settings_fixture.EMAIL_TIMEOUT = 10


# --- Redis ----------------------------------------------------------------------------------


class PrivateRedis:
    """A redis-server of the test's own, on a port of its own, that a test may stop and start
    again on the same port without touching the broker the rest of the suite uses."""

    def __init__(self, executable: str, port: int, directory: Path):
        self.executable = executable
        self.port = port
        self.directory = directory
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def ping(self) -> bool:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=0.5)
        try:
            return bool(client.ping())
        except redis.exceptions.ConnectionError:
            return False
        finally:
            client.close()

    def start(self) -> None:
        command = [
            self.executable,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            "--dir",
            str(self.directory),
        ]
        self.process = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        if not wait_for(self.ping, timeout=10):
            self.stop()
            raise RuntimeError(f"redis-server did not answer on port {self.port}")

    def stop(self) -> None:
        """Kill the server outright, as a crash would."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def queue_length(self, queue: str = "celery") -> int:
        import redis

        client = redis.Redis(host="127.0.0.1", port=self.port, socket_connect_timeout=1)
        try:
            return int(client.llen(queue))
        finally:
            client.close()


def redis_server_executable() -> str:
    executable = shutil.which("redis-server")
    if executable is None:
        pytest.skip("redis-server is not installed; these tests start a private Redis server")
    return executable


# --- Celery ---------------------------------------------------------------------------------


def configured_broker_reachable() -> tuple[bool, str]:
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        return True, ""
    import redis

    try:
        redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.exceptions.ConnectionError:
        return False, f"no Redis server at {urlparse(url).netloc} (CELERY_BROKER_URL)"
    return True, ""


def purge_broker() -> None:
    """Drop messages earlier tests left on the test broker, so a worker sees only ours."""
    app.control.purge()


@contextmanager
def celery_broker(url: str) -> Iterator[None]:
    """Point the Celery app (publishers and any worker started inside) at `url`.

    The app reads its configuration once (and CELERY_BROKER_URL in the environment wins over
    it), and keeps a connection pool and a producer pool, so changing the Django setting is
    not enough: this swaps the URL, in the configuration and in the environment, and both
    pools, then closes the new pools and puts everything back, so the rest of the suite keeps
    its own broker.
    """
    conf = app.conf
    conf_keys = ("broker_url", "broker_read_url", "broker_write_url", "broker_transport_options")
    env_keys = ("CELERY_BROKER_URL", "CELERY_BROKER_READ_URL", "CELERY_BROKER_WRITE_URL")
    saved_conf = {key: conf[key] for key in conf_keys}
    saved_env = {key: os.environ.get(key) for key in env_keys}
    saved_pool, saved_producers = app._pool, app.amqp._producer_pool
    conf.update(
        broker_url=url,
        broker_read_url=None,
        broker_write_url=None,
        broker_transport_options={"visibility_timeout": 3600},
    )
    for key in env_keys:
        os.environ.pop(key, None)
    os.environ["CELERY_BROKER_URL"] = url
    app._pool = None
    app.amqp._producer_pool = None
    try:
        yield
    finally:
        key = app.connection_for_write()
        if app.amqp._producer_pool is not None:
            app.amqp._producer_pool.force_close_all()
        if app._pool is not None:
            app._pool.force_close_all()
        for group in (pools.producers, pools.connections):
            dict.pop(group, eqhash(key), None)
        conf.update(saved_conf)
        for name, value in saved_env.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
        app._pool, app.amqp._producer_pool = saved_pool, saved_producers


@dataclass
class TaskOutcome:
    name: str
    args: tuple
    state: str
    retval: object


@contextmanager
def task_outcomes() -> Iterator[list[TaskOutcome]]:
    """Every task a worker thread in this process finishes, in order."""
    outcomes: list[TaskOutcome] = []

    def record(sender=None, task=None, args=None, retval=None, state=None, **kwargs):
        outcomes.append(TaskOutcome(task.name, tuple(args or ()), state, retval))

    task_postrun.connect(record, weak=False)
    try:
        yield outcomes
    finally:
        task_postrun.disconnect(record)


def short_name(task_name: str) -> str:
    return task_name.rsplit(".", 1)[-1]


# --- A worker process -----------------------------------------------------------------------


def database_url_for_worker() -> str:
    """The test database (not the one the settings name) as a DATABASE_URL."""
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    host = db["HOST"] or "127.0.0.1"
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{credentials}@{host}{port}/{quote(db['NAME'], safe='')}"


def worker_environment(*, broker_url: str, smtp: SMTPServer, **extra: str) -> dict[str, str]:
    environment = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DATABASE_URL": database_url_for_worker(),
        "DATABASE_CONN_MAX_AGE": "0",
        "CELERY_BROKER_URL": broker_url,
        "EMAIL_HOST": smtp.host,
        "EMAIL_PORT": str(smtp.port),
        "EMAIL_TIMEOUT": "10",
        "PORTAL_BASE_URL": settings.PORTAL_BASE_URL,
        **extra,
    }
    environment.pop("CROSSING_FAIL_ON_SKIP", None)
    return environment


@dataclass
class WorkerProcess:
    process: subprocess.Popen
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def terminate(self) -> None:
        """SIGTERM, what a process manager sends first: Celery's warm shutdown."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)

    def kill(self) -> None:
        """kill -9: no shutdown, no acknowledgement, no cleanup."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@contextmanager
def worker_process(
    name: str, environment: dict[str, str], log_path: Path, *, pool: str = "solo"
) -> Iterator[WorkerProcess]:
    """`celery -A portal worker --pool=solo` (or another pool) as a separate process; killed
    on the way out."""
    command = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "portal",
        "worker",
        f"--pool={pool}",
        "--concurrency=1",
        "--loglevel=INFO",
        "--without-gossip",
        "--without-mingle",
        "--without-heartbeat",
        "--hostname",
        f"{name}@%h",
    ]
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
            command,
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    worker = WorkerProcess(process, log_path)
    try:
        yield worker
    finally:
        worker.kill()


# --- A web server process -------------------------------------------------------------------


def configured_redis_url(why: str) -> str:
    """The Redis of CELERY_BROKER_URL (Redis in CI), for tests that need a shared cache."""
    url = settings.CELERY_BROKER_URL
    if not url.startswith("redis"):
        pytest.skip(f"needs Redis (CELERY_BROKER_URL is {url.split(':')[0]}): {why}")
    reachable, reason = configured_broker_reachable()
    if not reachable:
        pytest.skip(reason)
    return url


@dataclass
class WebServer:
    url: str
    process: subprocess.Popen
    log_path: Path

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""


@contextmanager
def gunicorn_server(
    environment: dict[str, str], log_path: Path, workers: int = 2
) -> Iterator[WebServer]:
    """gunicorn serving the portal as in production (DEBUG off, collected static files), on
    the test database; stopped on the way out. Callers need committed data (transactional
    tests) and PostgreSQL, since the server is another process."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "portal.wsgi",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--access-logfile",
        "-",
    ]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        "DJANGO_SECRET_KEY": settings.SECRET_KEY,
        "DJANGO_DEBUG": "0",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DATABASE_URL": database_url_for_worker(),
        "DATABASE_CONN_MAX_AGE": "0",
        **environment,
    }
    env.pop("CROSSING_FAIL_ON_SKIP", None)
    with log_path.open("wb") as log:
        process = subprocess.Popen(  # noqa: S603 (a fixed command, no shell)
            command, cwd=settings.BASE_DIR, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    server = WebServer(f"http://127.0.0.1:{port}", process, log_path)

    def answering() -> bool:
        if process.poll() is not None:
            raise AssertionError(f"gunicorn exited:\n{server.log()}")
        with socket.socket() as probe:
            return probe.connect_ex(("127.0.0.1", port)) == 0

    try:
        assert wait_for(answering), f"gunicorn did not start:\n{server.log()}"
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)
