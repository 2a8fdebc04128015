"""Recordings play through our server: no Exotel URL in the browser, every play audited."""

import pytest

from calls.models import RecordingAccess
from tests.calls.conftest import make_call


@pytest.fixture
def recorded(exotel_account, asha, live_server):
    # Any URL the server can fetch stands in for Exotel's pre-signed storage link.
    return make_call(exotel_account, asha, has_recording=True, recording_url=f"{live_server.url}/static/css/exoadmin.css?signature=s3cret")


def test_recording_streams_through_the_proxy_and_is_audited(client, agent_login, recorded):
    client.login(username=agent_login.username, password=agent_login.password)

    page = client.get(f"/calls/{recorded.key}/").content.decode()
    played = client.get(f"/calls/{recorded.key}/recording/")
    downloaded = client.get(f"/calls/{recorded.key}/recording/", {"download": "1"})

    assert "s3cret" not in page and f"/calls/{recorded.key}/recording/" in page
    assert b"".join(played.streaming_content).startswith(b"/* exoadmin")
    assert downloaded["Content-Disposition"].startswith("attachment")
    b"".join(downloaded.streaming_content)
    assert list(RecordingAccess.objects.values_list("user__username", "kind")) == [("asha", "download"), ("asha", "play")]


def test_another_agent_cannot_play_the_recording(client, other_agent_login, vikram, recorded):
    client.login(username=other_agent_login.username, password=other_agent_login.password)

    assert client.get(f"/calls/{recorded.key}/recording/").status_code == 404
    assert not RecordingAccess.objects.exists()


def test_no_recording_gives_a_disabled_button_with_the_reason(client, agent_login, exotel_account, asha):
    call = make_call(exotel_account, asha, status="to_leg_unanswered")
    client.login(username=agent_login.username, password=agent_login.password)

    page = client.get(f"/calls/{call.key}/").content.decode()

    assert "disabled" in page and "Nobody answered, so nothing was recorded." in page
    assert client.get(f"/calls/{call.key}/recording/").status_code == 404
