"""Recordings of answered calls: pre-signed, expiring URLs on the sandbox, serving a short WAV tone.

Exotel hands out pre-signed storage URLs that expire; the product must fetch them server-side.
No MP3 encoder ships with Python, so the sandbox serves WAV.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import io
import math
import struct
import time
import wave
from urllib.parse import urlencode

from exoadmin.sandbox.config import Config
from exoadmin.sandbox.database import Row

SAMPLE_RATE = 8000


class RecordingLinks:
    def __init__(self, secret: str, base_url: str, config: Config) -> None:
        self._secret = secret.encode()
        self._base_url = base_url.rstrip("/")
        self._config = config

    def for_call(self, call: Row) -> list[dict[str, str]] | None:
        """`recordings` of a call: only once it is over, and only if it was answered and recorded."""
        if not (call["record"] and call["answered"] and call["state"] == "terminal"):
            return None
        expires = math.ceil(time.time() + self._config.snapshot()["recording_ttl_seconds"])
        query = urlencode({"expires": expires, "signature": self._sign(call["sid"], expires)})
        parts = int((call.get("flow") or {}).get("recordings") or 1)  # an app flow may record several
        names = [call["sid"]] + [f"{call['sid']}-{part}" for part in range(2, parts + 1)]
        return [{"url": f"{self._base_url}/recordings/{name}.wav?{query}"} for name in names]

    def is_valid(self, call_sid: str, expires: str, signature: str) -> bool:
        if not expires.isdigit() or int(expires) < time.time():
            return False
        return hmac.compare_digest(self._sign(call_sid, int(expires)), signature)

    def _sign(self, call_sid: str, expires: int) -> str:
        return hmac.new(self._secret, f"{call_sid}:{expires}".encode(), hashlib.sha256).hexdigest()


@functools.cache
def tone_wav(seconds: float = 1.0, frequency: float = 440.0) -> bytes:
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * frequency * i / SAMPLE_RATE)))
        for i in range(int(seconds * SAMPLE_RATE))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(SAMPLE_RATE)
        wav.writeframes(frames)
    return buffer.getvalue()
