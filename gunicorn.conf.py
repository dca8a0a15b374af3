"""gunicorn settings for production (`gunicorn -c gunicorn.conf.py portal.wsgi`, see Procfile).

Every value can be changed from the environment; the defaults suit a small VM.
"""

import os
import tempfile
from pathlib import Path

bind = f"{os.environ.get('GUNICORN_BIND_HOST', '0.0.0.0')}:{os.environ.get('PORT', '8000')}"  # noqa: S104 (behind the proxy)
# Two or three per core is usual for a database-bound app.
workers = int(os.environ.get("WEB_CONCURRENCY", "3"))
# A request still running after `timeout` seconds is killed; on SIGTERM, workers get
# `graceful_timeout` seconds to finish the requests they have.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", "30"))
keepalive = 5
# Recycle workers now and then, so a slow leak never becomes an outage.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "1000"))
max_requests_jitter = max_requests // 10
# Access and error logs on stdout/stderr for the process manager, secrets redacted.
accesslog = "-"
errorlog = "-"
logger_class = "ops.gunicorn.RedactingLogger"
access_log_format = '%(h)s %(t)s "%(r)s" %(s)s %(b)s %(M)sms "%(a)s" request_id=%({x-request-id}o)s'
# gunicorn's control socket ($HOME/.gunicorn/gunicorn.ctl) is shared by every gunicorn of a
# user on the host; the process manager (honcho, systemd, Kubernetes) does its job here.
control_socket_disable = True
if Path("/dev/shm").is_dir():  # noqa: S108 (a tmpfs on Linux; not a shared file)
    worker_tmp_dir = "/dev/shm"  # noqa: S108 (heartbeats off a possibly slow disk)

# Metrics: each worker writes its counters to files here and /metrics adds them up, so a
# scrape answered by any worker shows the whole server. Set before any worker imports
# prometheus_client; emptied at start, since the files of a previous run would be counted.
os.environ.setdefault(
    "PROMETHEUS_MULTIPROC_DIR", tempfile.mkdtemp(prefix="crossing-gunicorn-metrics-")
)


def on_starting(server):
    directory = Path(os.environ["PROMETHEUS_MULTIPROC_DIR"])
    directory.mkdir(parents=True, exist_ok=True)
    for stale in directory.glob("*.db"):
        stale.unlink()


def child_exit(server, worker):
    from prometheus_client import multiprocess

    multiprocess.mark_process_dead(worker.pid)
