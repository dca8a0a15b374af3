"""Helpers shared by the tests (fixtures stay in the conftest.py files):

- `clients`: a signed-in web client, an API client with a token;
- `components`: real SMTP and Redis servers, Celery workers, gunicorn, for the integration
  tests and the few others that need a real component;
- `dashboard_portfolio`: a small portfolio whose every dashboard number is known;
- `api_endpoints`: every endpoint under /api/v1/, from Django's URL resolver;
- `browser`: signing in from a Playwright page.
"""
