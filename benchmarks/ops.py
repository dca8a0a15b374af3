"""Benchmark: what /healthz, /readyz and /metrics cost. Prints figures.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/crossing_bench \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/0 \\
        .venv/bin/python benchmarks/ops.py [--repeat 50]

Reads whatever portfolio the database holds (run benchmarks/scan.py first for 10,000
initiatives); writes nothing.
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")
os.environ.setdefault("DJANGO_SECRET_KEY", "benchmark-only")
os.environ.setdefault("DJANGO_SECURE_SSL_REDIRECT", "0")  # the test client speaks plain HTTP
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver")
os.environ.setdefault("PORTAL_METRICS_TOKEN", "benchmark-only")
os.environ.setdefault("DJANGO_LOG_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=50)
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from initiatives.models import Initiative

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {os.environ['PORTAL_METRICS_TOKEN']}"}
    print(f"{Initiative.objects.count()} initiatives, {connection.vendor}")
    for path in ("/healthz", "/readyz", "/metrics"):
        client.get(path, **headers)  # warm up
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            response = client.get(path, **headers)
            times.append((time.perf_counter() - started) * 1000)
            if response.status_code != 200:
                raise SystemExit(f"{path} answered {response.status_code}: {response.content!r}")
        with CaptureQueriesContext(connection) as queries:
            client.get(path, **headers)
        print(
            f"{path}: median {statistics.median(times):.1f} ms, max {max(times):.1f} ms "
            f"over {args.repeat}, {len(queries)} queries"
        )


if __name__ == "__main__":
    main()
