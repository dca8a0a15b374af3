"""Push health reports to Crossing: what a production system runs, e.g. every 15 minutes.

    CROSSING_URL=https://crossing.example.com CROSSING_TOKEN=... \
        python push_health.py fraud-scoring reports.json     # or reports on standard input

The input is a JSON list of reports (or one report). They are sent in batches; a batch the
portal could not take now (429, 5xx, no connection) is sent again after the time it asks
for, which is safe because a report already stored (same observed_at) is not stored twice.
A refused batch (400) is printed with every bad report's index and errors, and nothing is
sent after it. Standard library only.
"""

import json
import os
import sys
import time
import urllib.error
import urllib.request

BATCH = 500  # reports per request (the portal takes up to PORTAL_HEALTH_MAX_BATCH)
ATTEMPTS = 6


def push(base_url: str, token: str, initiative: str, reports: list[dict]) -> dict:
    """Send one batch; retry what may succeed later. Returns the portal's counts."""
    request = urllib.request.Request(  # noqa: S310 (the URL is the operator's setting)
        f"{base_url.rstrip('/')}/api/v1/initiatives/{initiative}/health/reports/",
        data=json.dumps(reports).encode(),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
        method="POST",
    )
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                return json.load(response)
        except urllib.error.HTTPError as error:
            body = error.read().decode(errors="replace")
            if error.code != 429 and error.code < 500:
                raise SystemExit(f"Refused ({error.code}): {body}") from None
            wait = float(error.headers.get("Retry-After") or 2**attempt)
        except OSError:  # no connection, a timeout
            wait = 2**attempt
        if attempt < ATTEMPTS:
            time.sleep(min(wait, 300))
    raise SystemExit(f"Gave up after {ATTEMPTS} attempts; run again later (nothing is doubled).")


def main(argv: list[str]) -> None:
    if len(argv) not in (2, 3):
        raise SystemExit(__doc__)
    initiative = argv[1]
    with open(argv[2]) if len(argv) == 3 else sys.stdin as source:
        loaded = json.load(source)
    reports = loaded if isinstance(loaded, list) else [loaded]
    url, token = os.environ["CROSSING_URL"], os.environ["CROSSING_TOKEN"]
    for start in range(0, len(reports), BATCH):
        counts = push(url, token, initiative, reports[start : start + BATCH])
        print(json.dumps(counts))


if __name__ == "__main__":
    main(sys.argv)
