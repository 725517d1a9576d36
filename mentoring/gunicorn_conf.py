"""gunicorn settings for the web process: `gunicorn mentoring.wsgi --config python:mentoring.gunicorn_conf`.

The access log goes to stdout with the secrets in tokened links redacted (mentoring/logs.py).
Workers come from WEB_CONCURRENCY, which gunicorn reads itself.
"""

from __future__ import annotations

from gunicorn.glogging import Logger

from mentoring.logs import redact_secrets

accesslog = "-"
logger_class = "mentoring.gunicorn_conf.RedactingLogger"
# Nothing manages the server through gunicornc; containers run it with a read-only home.
control_socket_disable = True


class RedactingLogger(Logger):
    """gunicorn's logger, with every value an access-log line can show (request line, path,
    query, referrer, headers) passed through redact_secrets."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        return {
            key: redact_secrets(value) if isinstance(value, str) else value
            for key, value in atoms.items()
        }
