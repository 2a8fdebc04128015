"""Recording links through the client's one HTTP seam: the sandbox's pre-signed link over real
HTTP, and (stub session) what goes with each request: the client's User-Agent and timeouts, no
credentials, every redirect hop checked before it is asked for, logs naming only the origin."""

import logging

import pytest
import requests
from requests.adapters import BaseAdapter

from exoadmin.exotel import calls, recordings
from exoadmin.exotel.calls import RecordingOptions
from exoadmin.exotel.client import ExotelClient
from exoadmin.exotel.errors import ExotelError, Forbidden
from tests.support.processes import wait_until

from .conftest import EXOPHONE, add_agent, phone
from .helpers import config_for, stub_client
from .stub_session import StubSession, response

LINK = "https://storage.test/bucket/call.wav?signature=s3cret"


def allow_all(url):
    return ""


def canned(status, body=b"", **headers):
    answer = response(status, raw=body, headers=headers)
    answer._content_consumed = True  # a canned body: read and closed without a socket
    return answer


def audio(body=b"RIFFdata"):
    return canned(200, body, **{"Content-Type": "audio/wav"})


def redirect(location):
    return canned(302, Location=location)


def test_the_sandboxs_pre_signed_link_streams_a_recording(sandbox, client, acme):
    add_agent(sandbox, devices=[phone("+919900000101", available=True)])
    sandbox.configure(ring_seconds=0.2, talk_seconds=0.3)
    call = calls.launch_v3(
        client,
        from_contact_uri="+919900000101",
        to_contact_uri="+919812345670",
        virtual_number=EXOPHONE,
        recording=RecordingOptions(record=True),
    )
    ended = wait_until(
        lambda: (d := calls.get_call_details(client, call.sid)).is_terminal and d, timeout=15, what="the call to end"
    )

    recording = recordings.open_recording(client, ended.recording_urls[0], refusal=allow_all)

    assert recording.content_type == "audio/wav" and b"".join(recording.chunks).startswith(b"RIFF")


def test_a_link_goes_with_the_clients_user_agent_and_timeouts_and_no_credentials():
    session = StubSession(audio())

    recording = recordings.open_recording(stub_client(session), LINK, refusal=allow_all)

    sent = session.sent[0]
    assert (sent["method"], sent["url"], b"".join(recording.chunks)) == ("GET", LINK, b"RIFFdata")
    assert sent["headers"]["User-Agent"].startswith("exoadmin/") and "Authorization" not in sent["headers"]
    assert (sent["timeout"], sent["stream"], sent["allow_redirects"]) == ((2.0, 5.0), True, False)


def test_no_credentials_from_netrc_reach_the_storage_host(tmp_path, monkeypatch):
    netrc = tmp_path / "netrc"
    netrc.write_text("machine storage.test login someone password s3cret\n")
    monkeypatch.setenv("NETRC", str(netrc))
    seen = []

    class Storage(BaseAdapter):
        def send(self, request, **kwargs):
            seen.append(request.headers)
            answer = audio()
            answer.request = request
            return answer

    session = requests.Session()
    session.mount("https://", Storage())
    client = ExotelClient(config_for("http://exotel.test"), session=session)

    recordings.open_recording(client, LINK, refusal=allow_all)

    assert "Authorization" not in seen[0]


def test_every_redirect_hop_is_checked_before_it_is_asked_for():
    session = StubSession(redirect("/elsewhere/call.wav?signature=two"), audio())
    checked = []

    def refusal(url):
        checked.append(url)
        return ""

    recordings.open_recording(stub_client(session), LINK, refusal=refusal)

    hops = [LINK, "https://storage.test/elsewhere/call.wav?signature=two"]
    assert checked == hops and [sent["url"] for sent in session.sent] == hops


def test_a_refused_hop_is_never_asked_for():
    session = StubSession(redirect("http://169.254.169.254/latest/meta-data/"))

    with pytest.raises(recordings.LinkRefused, match="not storage"):
        recordings.open_recording(
            stub_client(session), LINK, refusal=lambda url: "" if url == LINK else "169.254.169.254 is not storage"
        )

    assert len(session.sent) == 1


def test_redirects_are_followed_only_a_few_times():
    session = StubSession(*[redirect(f"/again/{n}") for n in range(recordings.MAX_REDIRECTS + 1)])

    with pytest.raises(ExotelError, match="redirected more than"):
        recordings.open_recording(stub_client(session), LINK, refusal=allow_all)

    assert len(session.sent) == recordings.MAX_REDIRECTS + 1


def test_an_expired_link_is_an_error_that_names_only_the_storage_origin(caplog):
    session = StubSession(canned(403, b"<Error>Request has expired</Error>"))

    with caplog.at_level(logging.INFO, logger="exoadmin.exotel"), pytest.raises(Forbidden) as caught:
        recordings.open_recording(stub_client(session), LINK, refusal=allow_all)

    (record,) = caplog.records
    assert (record.family, record.path, record.status) == ("recordings", "https://storage.test", 403)
    assert "s3cret" not in str(caught.value) and "s3cret" not in " ".join(str(vars(r)) for r in caplog.records)
