#!/usr/bin/env bash
# The load test, in one command (`make loadtest`; README "Load test"):
#   LOADTEST_DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_loadtest \
#       bash loadtest/run.sh [--duration 2m] [--initiatives 100000] [--port 8310]
# Starts gunicorn (gunicorn.conf.py), a Celery worker and beat on PostgreSQL and Redis,
# seeds the portfolio once (reused on the next run), runs Locust headless, prints requests
# per second and p50/p95/p99 per page and endpoint, and exits non-zero on any error
# response. Everything it starts is stopped when it ends, however it ends.
set -euo pipefail

DURATION=2m
INITIATIVES=100000
PORT=${LOADTEST_PORT:-8310}
BROKER=${LOADTEST_BROKER_URL:-redis://127.0.0.1:6379/9}
while [ $# -gt 0 ]; do
    case "$1" in
        --duration) DURATION=$2; shift 2 ;;
        --initiatives) INITIATIVES=$2; shift 2 ;;
        --port) PORT=$2; shift 2 ;;
        *) echo "unknown option: $1 (--duration 2m, --initiatives N, --port P)" >&2; exit 2 ;;
    esac
done
: "${LOADTEST_DATABASE_URL:?Set LOADTEST_DATABASE_URL to a PostgreSQL database of its own (it is emptied and seeded)}"

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BIN=${VENV_BIN:-$ROOT/.venv/bin}
RUN=$(mktemp -d "${TMPDIR:-/tmp}/crossing-loadtest.XXXXXX")
cd "$ROOT"

# Production settings (DEBUG off), plain HTTP on loopback.
export DATABASE_URL=$LOADTEST_DATABASE_URL
export CELERY_BROKER_URL=$BROKER
export DJANGO_SECRET_KEY=${DJANGO_SECRET_KEY:-$(head -c 32 /dev/urandom | base64)}
export DJANGO_ALLOWED_HOSTS=127.0.0.1,localhost
export DJANGO_CSRF_TRUSTED_ORIGINS=http://127.0.0.1:$PORT
export DJANGO_SECURE_SSL_REDIRECT=0 DJANGO_SESSION_COOKIE_SECURE=0 DJANGO_CSRF_COOKIE_SECURE=0
export PORTAL_BASE_URL=http://127.0.0.1:$PORT
export DJANGO_LOG_LEVEL=${DJANGO_LOG_LEVEL:-WARNING}
export EMAIL_FILE_PATH=$RUN/mail
export PYTHONPATH=$ROOT
# Sized for 2 cores that also run PostgreSQL, Redis, the worker and Locust itself: three
# sync workers (two or three per core is usual for a database-bound app; more only queue
# for the same cores), one Celery process.
export WEB_CONCURRENCY=${WEB_CONCURRENCY:-3}
export PORT GUNICORN_BIND_HOST=127.0.0.1

pids=()
stop() {
    for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
    for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
    echo "stopped gunicorn, the worker and beat; logs in $RUN"
}
trap stop EXIT
trap 'exit 130' INT TERM

"$BIN/python" loadtest/prepare.py --initiatives "$INITIATIVES" --out "$RUN/fixture.json"

"$BIN/gunicorn" -c gunicorn.conf.py portal.wsgi >"$RUN/gunicorn.log" 2>&1 &
pids+=($!)
"$BIN/celery" -A portal worker --concurrency 1 --loglevel WARNING >"$RUN/worker.log" 2>&1 &
pids+=($!)
"$BIN/celery" -A portal beat --schedule "$RUN/celerybeat-schedule" --loglevel WARNING \
    >"$RUN/beat.log" 2>&1 &
pids+=($!)

for _ in $(seq 60); do
    curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null 2>&1 && break
    sleep 1
done
curl -fsS "http://127.0.0.1:$PORT/readyz" >/dev/null || {
    echo "gunicorn did not become ready; see $RUN/gunicorn.log" >&2
    exit 1
}

# The 80 clients start 2 a second: the sign-ins (a password hash each, about half a second
# of a core) are spread over the first 40 s rather than queued behind each other. The
# figures restart once everyone has started (--reset-stats) and cover $DURATION after that;
# failures are counted from the first request.
RAMP=40
case "$DURATION" in
    *m) SECONDS_MEASURED=$(( ${DURATION%m} * 60 )) ;;
    *s) SECONDS_MEASURED=${DURATION%s} ;;
    *) SECONDS_MEASURED=$DURATION ;;
esac
echo "load test: 50 people, 10 API clients, 20 systems pushing health, $RAMP s to start, then $DURATION"
LOADTEST_FIXTURE=$RUN/fixture.json "$BIN/locust" -f loadtest/locustfile.py --headless \
    --host "http://127.0.0.1:$PORT" --users 80 --spawn-rate 2 --reset-stats \
    --run-time "$(( SECONDS_MEASURED + RAMP ))s" --only-summary --loglevel WARNING --stop-timeout 10
