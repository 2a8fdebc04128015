"""Recordings play through our server: no Exotel URL in the browser, every play audited, and only
Exotel's recording storage (here the sandbox) is ever fetched, whatever a callback says."""

import json

import pytest

from calls.models import Call, RecordingAccess
from exoadmin.exotel.recordings import MAX_REDIRECTS
from tests.calls.conftest import EXOPHONE, ended_recorded_call, make_call, public_webhook_url

UNKNOWN_SID = "feedfacefeedfacefeedfacefeedface"  # the sandbox has no such call: no fresh link either


@pytest.fixture
def recorded(sandbox, exotel_account, asha, supervisor) -> Call:
    """Asha's answered, recorded call, ended in the sandbox and read back from its call details."""
    call = ended_recorded_call(sandbox, exotel_account, asha, supervisor)
    assert call.has_recording and call.recording_url.startswith(f"{sandbox.url}/recordings/")
    return call


@pytest.fixture
def callbacks_applied_inline():
    """The webhook queues each callback for the worker; here the task runs inside the request."""
    from exoadmin.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


def terminal_callback(sid, recording_url):
    return {
        "event_details": {"event_type": "terminal"},
        "call_details": {
            "sid": sid,
            "direction": "outbound",
            "virtual_number": EXOPHONE,
            "state": "terminal",
            "status": "completed",
            "start_time": "2026-11-03 00:18:38+05:30",
            "end_time": "2026-11-03 00:19:02+05:30",
            "total_talk_time": 11,
            "recordings": [{"url": recording_url}],
        },
    }


def play(client, call):
    response = client.get(f"/calls/{call.key}/recording/")
    return response.status_code, b"".join(response.streaming_content) if response.streaming else response.content


def test_the_sandbox_recording_streams_through_the_proxy_and_is_audited(client, agent_login, recorded, caplog):
    signature = recorded.recording_url.split("signature=")[1]
    client.login(username=agent_login.username, password=agent_login.password)

    page = client.get(f"/calls/{recorded.key}/").content.decode()
    played = client.get(f"/calls/{recorded.key}/recording/")
    downloaded = client.get(f"/calls/{recorded.key}/recording/", {"download": "1"})

    assert signature not in page and f"/calls/{recorded.key}/recording/" in page
    assert 'data-testid="recording-refused"' not in page
    assert played["Content-Type"] == "audio/wav" and b"".join(played.streaming_content).startswith(b"RIFF")
    assert downloaded["Content-Disposition"].startswith("attachment")
    b"".join(downloaded.streaming_content)
    assert list(RecordingAccess.objects.values_list("user__username", "kind")) == [
        ("asha", "download"),
        ("asha", "play"),
    ]
    assert signature not in caplog.text


def test_another_agent_cannot_play_the_recording(client, other_agent_login, vikram, exotel_account, asha):
    recorded = make_call(
        exotel_account,
        asha,
        has_recording=True,
        recording_url="https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/Exotel/x.mp3?signature=s3cret",
    )
    client.login(username=other_agent_login.username, password=other_agent_login.password)

    assert client.get(f"/calls/{recorded.key}/recording/").status_code == 404
    assert not RecordingAccess.objects.exists()


def test_no_recording_gives_a_disabled_button_with_the_reason(client, agent_login, exotel_account, asha):
    call = make_call(exotel_account, asha, status="to_leg_unanswered")
    client.login(username=agent_login.username, password=agent_login.password)

    page = client.get(f"/calls/{call.key}/").content.decode()

    assert "disabled" in page and "Nobody answered, so nothing was recorded." in page
    assert client.get(f"/calls/{call.key}/recording/").status_code == 404


@pytest.mark.parametrize(
    "forged",
    [
        "http://127.0.0.1:{port}/x.wav?signature=s3cret",
        "http://localhost:{port}/",
        "https://s3-ap-south-1.amazonaws.com@127.0.0.1:{port}/exotel-mum1-recordings/x.mp3",
        "http://127.1:{port}/",  # the short form of 127.0.0.1
    ],
)
def test_a_callback_pointing_the_recording_at_an_internal_port_is_never_fetched(
    client, exotel_account, asha, agent_login, hit_recorder, callbacks_applied_inline, caplog, forged
):
    internal = hit_recorder()  # stands in for Redis, a database or a metadata service on our network
    call = make_call(exotel_account, asha, sid=UNKNOWN_SID, state="active", status="")
    link = forged.format(port=internal.port)

    assert (
        client.post(
            public_webhook_url(), json.dumps(terminal_callback(UNKNOWN_SID, link)), content_type="application/json"
        ).status_code
        == 200
    )
    client.login(username=agent_login.username, password=agent_login.password)
    page = client.get(f"/calls/{call.key}/").content.decode()
    status, body = play(client, call)

    call.refresh_from_db()
    assert call.recording_url == link  # stored as Exotel (or whoever) sent it: storing is harmless
    assert "was not fetched" in page and 'data-testid="recording-refused"' in page
    assert status == 502 and "This recording was not fetched" in body.decode()
    assert "EXOTEL_RECORDING_URL_PREFIXES" in body.decode()
    assert internal.connections == 0
    assert not RecordingAccess.objects.exists()
    assert "will not be fetched" in caplog.text  # noted when the callback arrived
    assert "s3cret" not in caplog.text


def test_a_callback_pointing_at_redis_is_refused_before_anything_reaches_redis(
    client, exotel_account, asha, agent_login, redis_server, callbacks_applied_inline
):
    call = make_call(exotel_account, asha, sid=UNKNOWN_SID, state="active", status="")
    forged = terminal_callback(UNKNOWN_SID, f"http://127.0.0.1:{redis_server.port}/")
    client.post(public_webhook_url(), json.dumps(forged), content_type="application/json")
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, call)

    assert status == 502 and f"127.0.0.1:{redis_server.port} is not one of Exotel's recording storage" in body.decode()
    # Redis logs an HTTP request sent to it as a possible attack: there is none.
    assert "SECURITY ATTACK" not in redis_server.log_path.read_text(errors="replace")


def test_a_redirect_from_an_allowed_host_to_another_host_is_not_followed(
    client, settings, exotel_account, asha, agent_login, hit_recorder
):
    internal = hit_recorder()
    allowed = hit_recorder(redirect_to=f"{internal.url}/latest/meta-data/")
    settings.EXOTEL_CONTACTS_BASE_URL = allowed.url  # a configured sandbox: allowed in development
    call = make_call(exotel_account, asha, sid=UNKNOWN_SID, has_recording=True, recording_url=f"{allowed.url}/r.wav")
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, call)

    assert status == 502 and f"127.0.0.1:{internal.port} is not one of Exotel's recording storage" in body.decode()
    assert (allowed.connections, internal.connections) == (1, 0)


def test_a_redirect_between_allowed_hosts_is_followed(client, settings, agent_login, recorded, hit_recorder):
    allowed = hit_recorder(redirect_to=recorded.recording_url)
    settings.EXOTEL_CONTACTS_BASE_URL = allowed.url
    Call.objects.filter(pk=recorded.pk).update(
        recording_url=f"{allowed.url}/r.wav", recording_urls=[f"{allowed.url}/r.wav"]
    )
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, recorded)

    assert status == 200 and body.startswith(b"RIFF") and allowed.connections == 1


def test_redirects_are_followed_only_a_few_times(client, settings, exotel_account, asha, agent_login, hit_recorder):
    looping = hit_recorder()
    looping.redirect_to = f"{looping.url}/again"
    settings.EXOTEL_CONTACTS_BASE_URL = looping.url
    call = make_call(exotel_account, asha, sid=UNKNOWN_SID, has_recording=True, recording_url=f"{looping.url}/r.wav")
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, call)

    assert status == 502 and "try again in a minute" in body.decode()
    assert looping.connections == MAX_REDIRECTS + 1


def test_a_forged_link_is_replaced_by_a_fresh_one_from_exotel(client, sandbox, agent_login, recorded, hit_recorder):
    internal = hit_recorder()
    Call.objects.filter(pk=recorded.pk).update(
        recording_url=f"{internal.url}/x.wav", recording_urls=[f"{internal.url}/x.wav"]
    )
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, recorded)

    recorded.refresh_from_db()
    assert status == 200 and body.startswith(b"RIFF") and internal.connections == 0
    assert recorded.recording_url.startswith(f"{sandbox.url}/recordings/")


def test_a_call_without_a_sid_never_asks_exotel_for_a_fresh_link(client, sandbox, exotel_account, asha, agent_login):
    call = make_call(
        exotel_account, asha, sid=None, has_recording=True, recording_url="https://elsewhere.example/x.mp3?sig=s3cret"
    )
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, call)

    assert status == 502 and "elsewhere.example is not one of Exotel's recording storage" in body.decode()
    assert sandbox.requests(path="/calls") == []


def test_the_recording_streams_with_the_clients_user_agent_and_no_exotel_credentials(
    client, settings, exotel_account, asha, agent_login, hit_recorder
):
    storage = hit_recorder()
    settings.EXOTEL_CONTACTS_BASE_URL = storage.url  # a configured sandbox: allowed in development
    call = make_call(exotel_account, asha, has_recording=True, recording_url=f"{storage.url}/r.wav?signature=s3cret")
    client.login(username=agent_login.username, password=agent_login.password)

    status, body = play(client, call)

    assert status == 200 and body == b"RIFF"
    (headers,) = storage.headers
    assert headers["User-Agent"].startswith("exoadmin/") and "Authorization" not in headers


def test_a_recording_of_a_call_in_no_known_account_is_refused_in_words(client, settings, admin_login, hit_recorder):
    storage = hit_recorder()
    settings.EXOTEL_CONTACTS_BASE_URL = storage.url
    call = make_call(None, sid=UNKNOWN_SID, has_recording=True, recording_url=f"{storage.url}/r.wav")
    client.login(username=admin_login.username, password=admin_login.password)

    status, body = play(client, call)

    assert status == 502 and "in no Exotel account exoadmin knows" in body.decode()
    assert storage.connections == 0
