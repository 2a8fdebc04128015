"""One web process's side of live updates: a single Redis subscription fanned out to its open streams.

However many streams a process serves, it holds one subscription to exoadmin.live.publish's channel
(fan-out across processes and machines is Redis's). Each change goes to the streams whose viewer may
see it, as one server-sent event named after what changed (`agent-42`, `call-7`, `bulk-3`, `shift-5`).
When a team changes, each open stream of a supervisor of its account gets its viewer again (moving an
agent between teams takes effect on open streams at once) and a `scope-changed` event, on which the
page fetches its live parts afresh.

What every board shows alike is rendered once per change, not once per screen: a board row travels
as its HTML, and the board's counts and the calls-now list are rendered once per viewer scope at most
twice a second (a burst of changes coalesces; the last one is never dropped). Everything else names
what changed and the page fetches that fragment itself (few people watch one call or one job).

If Redis goes away, every stream of the process ends: browsers reconnect, are refused while Redis
stays away (the page then polls and says so), and once a stream opens again the page fetches its
fragments afresh, so nothing is missed and nothing is applied twice.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.db import close_old_connections
from redis.exceptions import RedisError

from exoadmin.accounts.roles import Role
from exoadmin.live import fragments, watching
from exoadmin.live.publish import CHANNEL, Topic
from exoadmin.live.viewer import Viewer, viewer_for

log = logging.getLogger("exoadmin.live")

COALESCE_SECONDS = 0.5  # shared fragments are re-rendered at most this often per scope
SUBSCRIBE_TIMEOUT = 2.0  # a stream that cannot reach Redis this soon is refused (the page polls)


class Page(StrEnum):
    """What an open page shows, so a stream carries the shared fragments that page needs."""

    BOARD = "board"  # rows as HTML, counts, calls now
    CALLS = "calls"  # calls now (the live-calls list and the home page)
    OTHER = "other"  # only names of what changed


@dataclass(frozen=True)
class Event:
    name: str
    data: str = ""
    at: float | None = None  # when the change was published, for measuring how late it arrives

    def encode(self) -> bytes:
        lines = self.data.splitlines() or [""]
        return (f"event: {self.name}\n" + "".join(f"data: {line}\n" for line in lines) + "\n").encode()


@dataclass(eq=False)
class Listener:
    viewer: Viewer
    page: Page
    user: object  # the signed-in user, for the selectors that render shared fragments
    session_key: str = ""  # whose board page (exoadmin.live.watching) this stream keeps fresh
    queue: asyncio.Queue[Event | None] = field(default_factory=asyncio.Queue)

    @property
    def wants_board(self) -> bool:
        return self.page == Page.BOARD and self.viewer.role != Role.AGENT  # agents have no board

    @property
    def wants_calls(self) -> bool:
        return self.page in (Page.BOARD, Page.CALLS)


class Hub:
    def __init__(self, url: str) -> None:
        self.url = url
        self.listeners: set[Listener] = set()
        self.subscribed = asyncio.Event()
        self.reader: asyncio.Task[None] | None = None
        self.flusher: asyncio.Task[None] | None = None
        self.dirty: dict[tuple, tuple[set[str], Listener]] = {}  # scope → (fragments to redo, a listener)
        self.watcher: asyncio.Task[None] | None = None

    async def join(self, listener: Listener) -> bool:
        """Adds a stream; False when Redis cannot be reached now (the stream is refused)."""
        if self.reader is None or self.reader.done():
            self.subscribed.clear()
            self.reader = asyncio.create_task(self._read())
        try:
            await asyncio.wait_for(self.subscribed.wait(), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            return False
        self.listeners.add(listener)
        if listener.wants_board and (self.watcher is None or self.watcher.done()):
            self.watcher = asyncio.create_task(self._rewatch())
        return True

    def leave(self, listener: Listener) -> None:
        self.listeners.discard(listener)

    async def _read(self) -> None:
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=1, health_check_interval=10)
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                self.subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None:
                        await self._deliver(json.loads(message["data"]))
        except (RedisError, OSError) as exc:
            log.warning("live updates stopped, Redis unavailable: %s", exc)
        finally:
            self.subscribed.clear()
            for listener in list(self.listeners):
                listener.queue.put_nowait(None)  # the stream ends; the browser reconnects
            self.listeners.clear()
            await client.aclose()

    async def _rewatch(self) -> None:
        """While boards are open here, their agents stay watched (so they are re-read from Exotel)."""
        client = aioredis.Redis.from_url(self.url, socket_connect_timeout=1, socket_timeout=2)
        try:
            while boards := [listener for listener in self.listeners if listener.wants_board]:
                try:
                    await watching.rewatch(client, (listener.session_key for listener in boards))
                except (RedisError, OSError) as exc:
                    log.warning("open boards' agents not watched again, Redis unavailable: %s", exc)
                await asyncio.sleep(watching.REWATCH_SECONDS)
        finally:
            await client.aclose()

    async def _deliver(self, message: dict) -> None:
        if message["topic"] == Topic.TEAM:
            await self._rescope(message.get("account"))
            return
        listeners = [listener for listener in self.listeners if listener.viewer.may_see(message)]
        if not listeners:
            return
        name, at = f"{_EVENT_NAMES[message['topic']]}-{message['id']}", message.get("at")
        row = None
        if message["topic"] == Topic.AGENT and any(listener.wants_board for listener in listeners):
            row = await sync_to_async(fragments.board_row)(message["id"])
        for listener in listeners:
            data = row if row is not None and listener.wants_board else ""
            listener.queue.put_nowait(Event(name, data, at))
            self._mark(listener, message["topic"])

    async def _rescope(self, account_id: int | None) -> None:
        """A team of this account changed: each supervisor of the account gets their scope again (what
        they hear from now on) and is told so, so their page fetches its live parts afresh."""
        for listener in list(self.listeners):
            accounts = listener.viewer.account_ids
            if listener.viewer.role != Role.SUPERVISOR or (accounts is not None and account_id not in accounts):
                continue
            viewer = await sync_to_async(_viewer_again)(listener.user)
            if viewer is None:
                listener.queue.put_nowait(None)  # no longer a supervisor: the stream ends
                continue
            listener.viewer = viewer
            listener.queue.put_nowait(Event("scope-changed"))

    def _mark(self, listener: Listener, topic: str) -> None:
        redo = set()
        if topic == Topic.AGENT and listener.wants_board:
            redo.add("agent-counts")
        if topic == Topic.CALL and listener.wants_calls:
            redo.add("calls-now")
        if not redo:
            return
        pending, _ = self.dirty.setdefault(listener.viewer.scope, (set(), listener))
        pending |= redo
        if self.flusher is None or self.flusher.done():
            self.flusher = asyncio.create_task(self._flush_later())

    async def _flush_later(self) -> None:
        """Renders what changed, then again while changes keep coming (none is left unsent)."""
        while self.dirty:
            await asyncio.sleep(COALESCE_SECONDS)
            dirty, self.dirty = self.dirty, {}
            await self._flush(dirty)

    async def _flush(self, dirty: dict[tuple, tuple[set[str], Listener]]) -> None:
        for scope, (names, some_listener) in dirty.items():
            for name in sorted(names):
                html = await sync_to_async(_SHARED[name])(some_listener.user)
                for listener in self.listeners:
                    if listener.viewer.scope == scope and _WANTS[name](listener):
                        listener.queue.put_nowait(Event(name, html))


def _viewer_again(user) -> Viewer | None:
    close_old_connections()  # this runs outside any request: drop a connection the database closed
    return viewer_for(user)


_EVENT_NAMES = {Topic.AGENT: "agent", Topic.CALL: "call", Topic.BULK_EDIT: "bulk", Topic.SHIFT_JOB: "shift"}
_SHARED: dict[str, Callable[[object], str]] = {
    "agent-counts": fragments.board_counts,
    "calls-now": fragments.calls_now,
}

_WANTS: dict[str, Callable[[Listener], bool]] = {
    "agent-counts": lambda listener: listener.wants_board,
    "calls-now": lambda listener: listener.wants_calls,
}

_hubs: dict[asyncio.AbstractEventLoop, Hub] = {}


def is_listening(url: str) -> bool:
    """Whether this process already holds a live subscription to Redis at `url` (any loop's hub)."""
    return any(hub.url == url and hub.subscribed.is_set() for hub in list(_hubs.values()))


def hub_for(url: str) -> Hub:
    """This event loop's hub (one per process under uvicorn; tests may run several loops)."""
    loop = asyncio.get_running_loop()
    hub = _hubs.get(loop)
    if hub is None or hub.url != url:
        hub = _hubs[loop] = Hub(url)
    return hub
