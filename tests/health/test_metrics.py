"""/metrics: only with the token, and what it shows moves with what the product does, in every process."""

import json
import socket
import time

import pytest
import redis
from django.test import Client
from prometheus_client.parser import text_string_to_metric_families

from calls.inbox import PENDING
from contacts import services
from contacts.models import BulkEdit
from exoadmin.live.views import KEEPALIVE_SECONDS
from exoadmin.redis import RedisSkipped, get_redis, redis_breaker
from tests.calls.conftest import asha, callbacks_to, fast_calls, supervisor, wait_for_call  # noqa: F401
from tests.calls.test_launch import confirm_token, launch_form, logged_in
from tests.contacts.helpers import seed_contacts
from tests.live.streams import StreamReader
from tests.support.processes import wait_until

TOKEN = "scrape-token-for-tests"


@pytest.fixture
def metrics_token(settings):
    settings.METRICS_TOKEN = TOKEN


def scrape(**labels_wanted) -> dict[tuple[str, tuple], float]:
    """Every sample of /metrics as {(name, sorted labels): value}."""
    response = Client().get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200, response.content.decode()[:500]
    return {
        (sample.name, tuple(sorted(sample.labels.items()))): sample.value
        for family in text_string_to_metric_families(response.content.decode())
        for sample in family.samples
    }


def total(samples: dict, name: str, **labels) -> float:
    """The sum of `name`'s samples whose labels include `labels`."""
    return sum(
        value
        for (sample, sample_labels), value in samples.items()
        if sample == name and labels.items() <= dict(sample_labels).items()
    )


def test_metrics_are_refused_without_the_token_and_unknown_when_none_is_set(client, db, settings):
    assert client.get("/metrics").status_code == 404

    settings.METRICS_TOKEN = TOKEN

    assert client.get("/metrics").status_code == 401
    assert client.get("/metrics", headers={"Authorization": "Bearer guess"}).status_code == 401
    assert client.get("/metrics", headers={"Authorization": TOKEN}).status_code == 401
    answer = client.get("/metrics", headers={"Authorization": f"Bearer {TOKEN}"})
    assert answer.status_code == 200 and "exoadmin_celery_queue_depth" in answer.content.decode()
    assert TOKEN not in answer.content.decode() and settings.SECRET_KEY not in answer.content.decode()


def test_a_launched_call_and_a_bulk_edit_move_the_counters_of_web_and_worker(
    sandbox, exotel_account, asha, supervisor, fast_calls, callbacks_to, celery_worker, metrics_token
):
    before = scrape()
    client = logged_in(supervisor)
    client.post("/calls/confirm/", {"token": confirm_token(launch_form(client, asha))})
    wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "the call to end with its legs")
    known = seed_contacts(sandbox, exotel_account, 3)
    bulk_edit = services.bulk_edit_create_from_selection(
        account=exotel_account, user=supervisor.user, sids=known, fields={"tag": "metrics"}
    )
    services.bulk_edit_confirm(bulk_edit=bulk_edit)
    wait_until(lambda: BulkEdit.objects.get(pk=bulk_edit.pk).is_final, timeout=60, what="the bulk edit to finish")

    after = scrape()

    def moved(name, **labels):
        return total(after, name, **labels) - total(before, name, **labels)

    requests = "exoadmin_exotel_requests_total"
    # The launch is sent by the web process; the legs, the bulk PUT and the callbacks by the worker.
    assert moved(requests, family="ccm", method="POST", endpoint="/v3/accounts/{sid}/calls", status="200") == 1
    assert moved(requests, family="ccm", method="GET", endpoint="/v3/accounts/{sid}/calls/{id}/legs") >= 1
    assert moved(requests, family="contacts", method="PUT", endpoint="/v2/accounts/{sid}/contacts") == 1
    assert moved("exoadmin_exotel_request_seconds_count", family="contacts") >= 1
    assert moved("exoadmin_bulk_edit_rows_total", outcome="applied") == 3
    assert moved("exoadmin_callback_lag_seconds_count") == 2
    assert not [labels for (name, labels), _ in after.items() if name == requests and "acme" in str(labels)]


def test_queue_depths_and_the_inbox_are_read_when_scraped(db, redis_server, metrics_token):
    store = get_redis()
    store.delete("bulk", PENDING)
    store.lpush("bulk", "task-1", "task-2")
    store.lpush(PENDING, json.dumps({"payload": {}, "ref": None, "at": time.time() - 120}))
    try:
        samples = scrape()
    finally:
        store.delete("bulk", PENDING)

    assert total(samples, "exoadmin_celery_queue_depth", queue="bulk") == 2
    assert total(samples, "exoadmin_callback_inbox_length") == 1
    assert 119 <= total(samples, "exoadmin_callback_inbox_oldest_seconds") < 200


def test_a_hung_redis_leaves_its_gauges_out_and_the_scrape_answers_at_once(exotel_account, settings, metrics_token):
    hung = socket.create_server(("127.0.0.1", 0))  # accepts connections, never answers a command
    url = f"redis://127.0.0.1:{hung.getsockname()[1]}/0"
    settings.REDIS_URL = settings.CELERY_BROKER_URL = url
    before = scrape()

    started = time.monotonic()
    samples = scrape()

    assert time.monotonic() - started < 2
    assert total(samples, "exoadmin_celery_queue_depth") == 0 and "exoadmin_callback_inbox_length" not in str(samples)
    for source in ("queues", "inbox", "budget"):
        assert total(samples, "exoadmin_scrape_errors_total", source=source) == (
            total(before, "exoadmin_scrape_errors_total", source=source) + 1
        )
    hung.close()


def test_open_live_streams_are_counted_while_they_are_open(asgi_server, agent_login, metrics_token):
    before = total(scrape(), "exoadmin_live_streams_open")
    stream = StreamReader(asgi_server.url, agent_login, page="calls")

    assert total(scrape(), "exoadmin_live_streams_open") == before + 1

    stream.close()
    wait_until(  # a stream notices its browser left at the latest when its next keep-alive fails
        lambda: total(scrape(), "exoadmin_live_streams_open") == before,
        timeout=KEEPALIVE_SECONDS + 5,
        what="the stream to be closed",
    )


def test_an_open_breaker_and_the_requests_it_refuses_are_exported(db, settings, metrics_token):
    redis_breaker()  # made by the first Redis command of a process
    assert total(scrape(), "exoadmin_breaker_state", breaker="redis") == 0  # listed while closed
    refused_before = total(scrape(), "exoadmin_breaker_refusals_total", breaker="redis")
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # nothing listens: refused, as with Redis stopped

    with pytest.raises(redis.ConnectionError):
        get_redis().ping()  # opens the breaker
    with pytest.raises(RedisSkipped):
        get_redis().ping()  # refused at once
    samples = scrape()

    assert total(samples, "exoadmin_breaker_state", breaker="redis") == 2
    assert total(samples, "exoadmin_breaker_refusals_total", breaker="redis") >= refused_before + 1
