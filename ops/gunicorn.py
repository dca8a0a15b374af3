"""gunicorn's access log, with the secrets in URLs, referers and headers redacted."""

from gunicorn.glogging import Logger

from ops.logging import redact_text


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {key: redact_text(v) if isinstance(v, str) else v for key, v in atoms.items()}
