"""The live stream: server-sent events telling an open page what changed, for as long as it is open.

Served by the ASGI server (uvicorn), where an open stream costs a coroutine, not a worker. Under a
WSGI server it is refused at once (503), as it is when Redis cannot be reached: the page then polls
and says that live updates are off.
"""

from __future__ import annotations

import asyncio
import logging
import random
import threading
import time
from collections.abc import AsyncIterator

from django.conf import settings
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpResponse, StreamingHttpResponse
from django.views.decorators.http import require_GET
from redis.exceptions import RedisError

from exoadmin.accounts.roles import any_role_required
from exoadmin.live import watching
from exoadmin.live.hub import Event, Listener, Page, hub_for, is_listening
from exoadmin.live.viewer import viewer_for
from exoadmin.redis import get_redis, redis_found_sick

log = logging.getLogger("exoadmin.live")

KEEPALIVE_SECONDS = 15.0  # a comment this often keeps proxies from closing an idle stream
RETRY_MS = (1000, 4000)  # a browser reconnects after a random wait in this range (not all at once)
# A stream ends after this long (plus up to a minute, so they do not end together) and the browser
# opens a new one: who may see what (a logout, a role or team change) is checked again at that point.
LIFETIME_SECONDS = 300.0


@any_role_required
@require_GET
def stream(request):
    # A plain view: Django runs it in a thread under ASGI; only the stream it returns is async, and
    # the server iterates that on its own event loop.
    if not isinstance(request, ASGIRequest):
        return _unavailable("Live updates need the ASGI server; this page refreshes itself instead.")
    viewer = viewer_for(request.user)
    assert viewer is not None  # any_role_required lets in only people with a role
    try:
        page = Page(request.GET.get("page", Page.OTHER))
    except ValueError:
        page = Page.OTHER
    # Ask Redis only while this process has no subscription: one open stream proves it answers,
    # unless this process found Redis hung since (a hung Redis never fails a subscription).
    if redis_found_sick() or (not is_listening(settings.REDIS_URL) and not _redis_answers()):
        log.warning("live stream refused: Redis unavailable", extra={"user_id": request.user.pk})
        return _unavailable("Live updates are paused (Redis is unavailable); this page refreshes itself instead.")
    listener = Listener(viewer, page, request.user, watching.viewer_key(request.session.session_key or ""))
    response = StreamingHttpResponse(_events(listener), content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


async def _events(listener: Listener) -> AsyncIterator[bytes]:
    # The hub is joined here, on the server's event loop, where the stream is iterated.
    hub = hub_for(settings.REDIS_URL)
    if not await hub.join(listener):
        return  # Redis went away since the view asked: the browser reconnects and is refused
    try:
        yield f"retry: {random.randint(*RETRY_MS)}\n: open\n\n".encode()
        ends = time.monotonic() + LIFETIME_SECONDS + random.uniform(0, 60)
        while (left := ends - time.monotonic()) > 0:
            try:
                event: Event | None = await asyncio.wait_for(listener.queue.get(), min(KEEPALIVE_SECONDS, left))
            except TimeoutError:
                yield b": keepalive\n\n"
                continue
            if event is None:
                return  # Redis went away: the browser reconnects and is told whether it is back
            yield event.encode()
    finally:
        hub.leave(listener)  # also when the browser goes away (Django cancels the generator)


_ping_lock = threading.Lock()
_last_ping: tuple[float, bool] = (0.0, False)  # when Redis last answered a ping (or failed to), and how


def _redis_answers() -> bool:
    """Whether Redis answers now. Streams opening together share one ping: each takes the first answer
    obtained after it asked, so a burst of reconnecting boards costs one round trip, never a stale one."""
    global _last_ping
    asked_at = time.monotonic()
    with _ping_lock:
        answered_at, answered = _last_ping
        if answered_at < asked_at:
            try:
                answered = bool(get_redis().ping())
            except RedisError as exc:
                log.warning("Redis did not answer a live stream's ping: %s", exc)
                answered = False
            _last_ping = (time.monotonic(), answered)
        return answered


def _unavailable(words: str) -> HttpResponse:
    return HttpResponse(words, status=503, content_type="text/plain")
