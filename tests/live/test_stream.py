"""The live stream over real HTTP under uvicorn: who hears what, what a board row carries, and the
stream's refusals when it cannot work (no Redis, a WSGI server)."""

import os
import signal
import time

from agents.audit import agent_state_refresh
from agents.devices import agent_go_unavailable
from exoadmin.live import hub as hub_module
from exoadmin.live import watching
from exoadmin.live.publish import Topic, changed
from exoadmin.redis import get_redis
from tests.agents.conftest import board_supervisor, ccm_agent, ccm_user, phone_sip_agent, supervisor_actor
from tests.support.processes import RedisServer, wait_until

__all__ = ["board_supervisor", "ccm_agent", "ccm_user", "phone_sip_agent", "supervisor_actor"]


def test_a_device_change_reaches_an_open_board_as_its_new_row_then_the_counts(
    asgi_server, streams, board_supervisor, ccm_agent, supervisor_actor
):
    board = streams(asgi_server.url, board_supervisor, page="board")

    agent_go_unavailable(agent=ccm_agent, actor=supervisor_actor)

    row = board.until(f"agent-{ccm_agent.pk}", saying='class="state-off"')
    assert row.data.lstrip().startswith(f'<tr id="agent-{ccm_agent.pk}"') and "Turn ON" in row.data
    assert board.until("agent-counts", saying='<span class="pill grey">1 off</span>')


def test_an_agent_hears_only_about_themselves_and_gets_no_board_rows(
    asgi_server, streams, agent_login, ccm_agent, phone_sip_agent, board_supervisor
):
    mine = streams(asgi_server.url, agent_login, page="board")  # asking for the board's rows gets none
    board = streams(asgi_server.url, board_supervisor, page="board")

    agent_state_refresh(agent=phone_sip_agent)  # someone else's change
    changed(Topic.CALL, 99, account_id=ccm_agent.account_id, agent_id=phone_sip_agent.pk)  # someone else's call
    agent_state_refresh(agent=ccm_agent)

    heard = board.names_until(f"agent-{ccm_agent.pk}")
    assert f"agent-{phone_sip_agent.pk}" in heard and "call-99" in heard
    own = mine.next()
    assert (own.name, own.data) == (f"agent-{ccm_agent.pk}", "")
    assert mine.quiet(1.0)


def test_a_supervisor_of_another_account_hears_nothing_of_this_one(
    asgi_server, streams, supervisor_login, ccm_agent, admin_login
):
    outsider = streams(asgi_server.url, supervisor_login, page="board")  # a supervisor of no account of theirs
    admin = streams(asgi_server.url, admin_login, page="board")

    agent_state_refresh(agent=ccm_agent)

    assert admin.until(f"agent-{ccm_agent.pk}").data.lstrip().startswith("<tr")
    assert outsider.response.status_code == 200 and outsider.quiet(1.0)


def test_without_redis_the_stream_is_refused_in_words(asgi_server, streams, board_supervisor, settings):
    settings.REDIS_URL = "redis://127.0.0.1:9/0"  # nothing listens there

    refused = streams(asgi_server.url, board_supervisor)

    assert refused.response.status_code == 503
    assert "Live updates are paused (Redis is unavailable)" in refused.response.text


def test_a_wsgi_server_refuses_the_stream_at_once(client, board_supervisor):
    client.login(username=board_supervisor.username, password=board_supervisor.password)

    response = client.get("/live/stream/")

    assert response.status_code == 503
    assert b"need the ASGI server" in response.content


def test_nobody_without_a_role_gets_a_stream(client, django_user_model):
    django_user_model.objects.create_user("nobody", password="pw-nobody-2026")
    client.login(username="nobody", password="pw-nobody-2026")

    assert client.get("/live/stream/").status_code == 403
    client.logout()
    assert client.get("/live/stream/")["Location"].startswith("/login/")


def test_the_stream_ends_when_redis_goes_away_and_opens_again_once_it_is_back(
    asgi_server, streams, board_supervisor, ccm_agent, settings, service_logs
):
    redis = RedisServer(service_logs)
    redis.start()
    settings.REDIS_URL = redis.url
    try:
        board = streams(asgi_server.url, board_supervisor)
        redis.stop()
        while board.next(timeout=15) is not None:
            pass  # anything already on its way, then the end
        assert streams(asgi_server.url, board_supervisor).response.status_code == 503

        redis.start()

        def reconnected() -> str:  # as a browser's EventSource does: it tries again until it is let in
            again = streams(asgi_server.url, board_supervisor)
            assert again.response.status_code == 200
            agent_state_refresh(agent=ccm_agent)
            return again.until(f"agent-{ccm_agent.pk}", timeout=2).data

        assert (
            wait_until(reconnected, timeout=20, what="a stream that carries changes again").lstrip().startswith("<tr")
        )
    finally:
        redis.stop()


def test_an_open_board_keeps_the_agents_it_shows_watched_until_it_closes(
    asgi_server, streams, board_supervisor, ccm_agent, monkeypatch
):
    monkeypatch.setattr(watching, "REWATCH_SECONDS", 0.1)
    board = streams(asgi_server.url, board_supervisor, page="board")
    assert board.session.get(f"{asgi_server.url}/agents/", timeout=10).status_code == 200  # the page is drawn
    get_redis().delete(watching.KEY)

    wait_until(lambda: ccm_agent.pk in watching.watched_agents(), timeout=5, what="the board's agents watched again")
    board.close()
    wait_until(board_is_gone, timeout=5, what="the closed stream to leave")
    get_redis().delete(watching.KEY)
    time.sleep(0.5)
    assert ccm_agent.pk not in watching.watched_agents()


def board_is_gone() -> bool:
    return not any(listener.wants_board for hub in hub_module._hubs.values() for listener in hub.listeners)


def test_a_hung_redis_ends_open_streams_and_refuses_new_ones_at_once(
    asgi_server, streams, board_supervisor, settings, service_logs
):
    redis = RedisServer(service_logs)
    redis.start()
    settings.REDIS_URL = redis.url
    try:
        board = streams(asgi_server.url, board_supervisor)
        os.kill(redis.process.pid, signal.SIGSTOP)  # connections stay open; nothing answers

        started = time.monotonic()
        refused = streams(asgi_server.url, board_supervisor)
        assert refused.response.status_code == 503 and time.monotonic() - started < 2.0
        while board.next(timeout=15) is not None:
            pass  # the open stream ends (its page then polls), within a read of its subscription
        assert time.monotonic() - started < 8.0
    finally:
        os.kill(redis.process.pid, signal.SIGCONT)
        redis.stop()
