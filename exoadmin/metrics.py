"""Every metric the product exports, named in the product's words (README: "Operations: metrics").

Counters and histograms are written by the process where things happen (web, worker, beat); with
PROMETHEUS_MULTIPROC_DIR set, each process writes its own file there and /metrics adds them up.
What is shared state (queues, inbox, rate budget, worker heartbeat) is read when /metrics is
scraped instead (exoadmin.scrape), so a process that died takes no stale number with it.
"""

from prometheus_client import Counter, Gauge, Histogram

from exoadmin.breakers import Event
from exoadmin.exotel.transport import Exchange

EXOTEL_REQUESTS = Counter(
    "exoadmin_exotel_requests",
    "Requests sent to Exotel, by API family, endpoint (a path template), HTTP status and Exotel code",
    ["family", "method", "endpoint", "status", "exotel_code"],
)
EXOTEL_REQUEST_SECONDS = Histogram(
    "exoadmin_exotel_request_seconds",
    "How long Exotel took to answer one request (each retry counts on its own)",
    ["family", "endpoint"],
    buckets=(0.05, 0.1, 0.25, 0.5, 1, 2, 4, 8, 16),
)
CALLBACK_LAG_SECONDS = Histogram(
    "exoadmin_callback_lag_seconds",
    "From the time Exotel gives in a status callback to the callback stored on its call",
    buckets=(0.5, 1, 2, 5, 10, 30, 60, 300, 900),
)
BULK_EDIT_ROWS = Counter(
    "exoadmin_bulk_edit_rows",
    "Contact rows of bulk edits sent to Exotel, by outcome (applied or failed)",
    ["outcome"],
)
OPEN_STREAMS = Gauge(
    "exoadmin_live_streams_open",
    "Live-update streams (open boards and call pages) the web processes serve now",
    multiprocess_mode="livesum",
)

BREAKER_STATE = Gauge(
    "exoadmin_breaker_state",
    "A dependency's circuit breaker as the worst live process last saw it: 0 closed, 1 trying again, 2 open",
    ["breaker"],
    multiprocess_mode="livemax",
)
BREAKER_REFUSALS = Counter(
    "exoadmin_breaker_refusals",
    "Requests to a dependency refused at once because its breaker was open (each ran its fallback)",
    ["breaker"],
)
_BREAKER_LEVELS = {"closed": 0, "trial": 1, "open": 2}


def breaker_seen(name: str, event: Event) -> None:
    """The breakers' observer (exoadmin.breakers.observe, in HealthConfig.ready)."""
    if event == "refused":
        BREAKER_REFUSALS.labels(name).inc()
    else:
        BREAKER_STATE.labels(name).set(_BREAKER_LEVELS[event])


def exotel_request_seen(exchange: Exchange) -> None:
    """The Exotel transport's observer (exoadmin.accounts.clients)."""
    status = str(exchange.status) if exchange.status is not None else (exchange.failure or "no answer")
    code = str(exchange.exotel_code) if exchange.exotel_code is not None else ""
    EXOTEL_REQUESTS.labels(exchange.family, exchange.method, exchange.endpoint, status, code).inc()
    EXOTEL_REQUEST_SECONDS.labels(exchange.family, exchange.endpoint).observe(exchange.seconds)
