"""Structured (JSON lines) logging that never carries a secret.

Secrets are kept out of log calls by construction (the Exotel client never logs headers); this
filter is the second line of defence for what slips through: Authorization values, tokens in
query strings, credentials in URLs, and the webhook token and SMTP password wherever they appear.
"""

import json
import logging
import re
from datetime import UTC, datetime

from django.conf import settings

_PATTERNS = [
    re.compile(r"(?i)(authorization['\"]?\s*[:=]\s*['\"]?)(basic|bearer)?\s*[\w\-.=+/]+"),
    re.compile(r"(?i)((?:token|secret|password|api_token|app_token)=)[^&\s'\"]+"),
    re.compile(r"(?i)([a-z][a-z0-9+.-]*://)[^/\s:@]+:[^/\s@]+@"),  # credentials in a URL (https, smtp+tls)
]
_STANDARD_ATTRS = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


def redact(text: str) -> str:
    for pattern in _PATTERNS:
        text = pattern.sub(lambda m: m.group(1) + "[redacted]", text)
    for secret in (getattr(settings, "EXOTEL_WEBHOOK_TOKEN", ""), getattr(settings, "EMAIL_HOST_PASSWORD", "")):
        text = text.replace(secret, "[redacted]") if secret else text
    return text


class RedactSecrets(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = redact(record.getMessage())
        record.args = None
        for key, value in list(vars(record).items()):
            if key not in _STANDARD_ATTRS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time, level, logger, message, then any `extra=` fields."""

    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD_ATTRS})
        if record.exc_info:
            entry["exc"] = redact(self.formatException(record.exc_info))
        return json.dumps(entry, default=str)
