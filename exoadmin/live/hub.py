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

If Redis goes away, or hangs (a quiet subscription pings Redis every few seconds: a hung Redis
sends nothing and never fails a subscription), every stream of the process ends: browsers reconnect,
are refused while Redis stays away (the page then polls and says so), and once a stream opens again
the page fetches its fragments afresh, so nothing is missed and nothing is applied twice.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

import redis.asyncio as aioredis
from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import close_old_connections
from redis.asyncio.retry import Retry as AsyncRetry
from redis.backoff import NoBackoff
from redis.exceptions import RedisError

from exoadmin.accounts.roles import Role
from exoadmin.live import fragments, watching
from exoadmin.live.publish import CHANNEL, CONFIRMED, SHOWS, Topic
from exoadmin.live.viewer import Viewer, viewer_for
from exoadmin.metrics import OPEN_STREAMS
from exoadmin.redis import redis_found_sick

log = logging.getLogger("exoadmin.live")

COALESCE_SECONDS = 0.5  # shared fragments are re-rendered at most this often per scope
SUBSCRIBE_TIMEOUT = 2.0  # a stream that cannot reach Redis this soon is refused (the page polls)
QUEUE_LIMIT = 500  # events waiting for one browser; more and its stream is ended (it reconnects)


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
    board: str = ""  # names the person's board (exoadmin.live.watching.viewer_key)
    shown: set[int] = field(default_factory=set)  # the agents that board shows: their rows are pushed
    queue: asyncio.Queue[Event | None] = field(default_factory=lambda: asyncio.Queue(QUEUE_LIMIT))

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
        # Streams opening together wait their turn for a connection (a plain pool refuses the 101st).
        # One retry replaces at once a connection that a Redis restart closed.
        limit = settings.REDIS_TIMEOUT
        pool = aioredis.BlockingConnectionPool.from_url(
            url, max_connections=20, timeout=SUBSCRIBE_TIMEOUT, socket_connect_timeout=limit, socket_timeout=limit
        )
        self.commands = aioredis.Redis(connection_pool=pool, retry=AsyncRetry(NoBackoff(), 1))

    async def join(self, listener: Listener) -> bool:
        """Adds a stream; False when Redis cannot be reached now (the stream is refused)."""
        if redis_found_sick():
            return False
        if self.reader is None or self.reader.done():
            self.subscribed.clear()
            self.reader = _task(self._read())
        try:
            await asyncio.wait_for(self.subscribed.wait(), SUBSCRIBE_TIMEOUT)
        except TimeoutError:
            return False
        if listener.wants_board:
            try:
                listener.shown = await watching.shown_by(self.commands, listener.board)
            except (RedisError, OSError) as exc:  # its rows are pushed once the board is drawn again
                log.warning("which agents a board shows is unknown, Redis unavailable: %s", exc)
        self.listeners.add(listener)
        OPEN_STREAMS.inc()
        if listener.wants_board and (self.watcher is None or self.watcher.done()):
            self.watcher = _task(self._rewatch())
        return True

    def leave(self, listener: Listener) -> None:
        if listener in self.listeners:
            self.listeners.discard(listener)
            OPEN_STREAMS.dec()

    def _send(self, listener: Listener, event: Event) -> None:
        """Queues an event; a stream too slow to keep up is ended (its page reconnects and catches up)."""
        try:
            listener.queue.put_nowait(event)
        except asyncio.QueueFull:
            log.warning("live stream dropped: its browser fell %s events behind", QUEUE_LIMIT)
            self._end(listener)

    def _end(self, listener: Listener) -> None:
        """Ends a stream now, whatever it still had queued: the browser reconnects and catches up."""
        self.leave(listener)
        while not listener.queue.empty():
            listener.queue.get_nowait()
        listener.queue.put_nowait(None)

    async def _read(self) -> None:
        client = aioredis.Redis.from_url(
            self.url, socket_connect_timeout=settings.REDIS_TIMEOUT, health_check_interval=10
        )
        try:
            async with client.pubsub(ignore_subscribe_messages=True) as pubsub:
                await pubsub.subscribe(CHANNEL)
                self.subscribed.set()
                while True:
                    message = await pubsub.get_message(timeout=5.0)
                    if message is not None:
                        await self._handle(message["data"])
                    else:  # a hung Redis sends nothing and never fails a subscription: ask it
                        await self.commands.ping()
        except (RedisError, OSError) as exc:
            log.warning("live updates stopped, Redis unavailable: %s", exc)
        finally:
            self.subscribed.clear()
            for listener in list(self.listeners):
                self._end(listener)
            self.listeners.clear()
            await client.aclose()

    async def _handle(self, data: bytes) -> None:
        """One published message; a bad one is logged and skipped, never ending every stream."""
        try:
            message = json.loads(data)
            if message["topic"] == SHOWS:
                for listener in self.listeners:
                    if listener.board and listener.board == message["viewer"]:
                        listener.shown = set(message["ids"])
            elif message["topic"] == CONFIRMED:
                self._confirmed(message)
            else:
                await self._deliver(message)
        except Exception:
            log.exception("live update not delivered", extra={"live": data[:200]})

    async def _rewatch(self) -> None:
        """While boards are open here, their agents stay watched (so they are re-read from Exotel)."""
        while boards := [listener for listener in self.listeners if listener.wants_board]:
            try:
                await watching.rewatch(self.commands, set().union(*(listener.shown for listener in boards)))
            except (RedisError, OSError) as exc:
                log.warning("open boards' agents not watched again, Redis unavailable: %s", exc)
            await asyncio.sleep(watching.REWATCH_SECONDS)

    def _confirmed(self, message: dict) -> None:
        """Agents Exotel confirmed unchanged: boards showing them move their "confirmed N s ago"."""
        at, ids = round(message["at"]), message["ids"]
        for listener in [listener for listener in self.listeners if listener.wants_board]:
            if listener.viewer.may_see(message) and (mine := [pk for pk in ids if pk in listener.shown]):
                self._send(listener, Event(CONFIRMED, json.dumps(dict.fromkeys(map(str, mine), at))))

    async def _deliver(self, message: dict) -> None:
        if message["topic"] == Topic.TEAM:
            await self._rescope(message.get("account"))
            return
        listeners = [listener for listener in self.listeners if listener.viewer.may_see(message)]
        if not listeners:
            return
        name, at, agent_id = f"{_EVENT_NAMES[message['topic']]}-{message['id']}", message.get("at"), message["id"]
        is_agent = message["topic"] == Topic.AGENT
        showing = [
            listener for listener in listeners if is_agent and listener.wants_board and agent_id in listener.shown
        ]
        row = await sync_to_async(fragments.board_row)(agent_id) if showing else ""
        for listener in listeners:
            if listener in showing:
                self._send(listener, Event(name, row, at))
            elif not (is_agent and listener.wants_board):  # boards hear only of the rows they show
                self._send(listener, Event(name, "", at))
            self._mark(listener, message["topic"])

    async def _rescope(self, account_id: int | None) -> None:
        """A team of this account changed: each supervisor of the account gets their scope again (what
        they hear from now on) and is told so, so their page fetches its live parts afresh."""
        for listener in list(self.listeners):
            accounts = listener.viewer.account_ids
            if listener.viewer.role != Role.SUPERVISOR or (accounts is not None and account_id not in accounts):
                continue
            viewer = await sync_to_async(_viewer_again)(listener.user)
            if viewer is None:  # no longer a supervisor: the stream ends
                self._end(listener)
                continue
            listener.viewer = viewer
            self._send(listener, Event("scope-changed"))

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
            self.flusher = _task(self._flush_later())

    async def _flush_later(self) -> None:
        """Renders what changed, then again while changes keep coming (none is left unsent)."""
        while self.dirty:
            await asyncio.sleep(COALESCE_SECONDS)
            dirty, self.dirty = self.dirty, {}
            try:
                await self._flush(dirty)
            except Exception:
                log.exception("live counts or calls not rendered")

    async def _flush(self, dirty: dict[tuple, tuple[set[str], Listener]]) -> None:
        for scope, (names, some_listener) in dirty.items():
            for name in sorted(names):
                html = await sync_to_async(_SHARED[name])(some_listener.user)
                for listener in list(self.listeners):
                    if listener.viewer.scope == scope and _WANTS[name](listener):
                        self._send(listener, Event(name, html))


def _task(coroutine) -> asyncio.Task:
    """A hub task outlives the request that started it: it gets a context of its own, not that request's."""
    return asyncio.create_task(coroutine, context=contextvars.Context())


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
    for gone in [other for other in _hubs if other.is_closed()]:
        del _hubs[gone]
    hub = _hubs.get(loop)
    if hub is None or hub.url != url:
        hub = _hubs[loop] = Hub(url)
    return hub
