import pytest

from calls.models import RecordingAccess
from tests.calls.conftest import make_call


@pytest.mark.parametrize("model", ["call", "callleg", "callevent", "recordingaccess", "callsettings"])
def test_admin_lists_calls_legs_events_and_recording_accesses(client, admin_login, exotel_account, model):
    call = make_call(exotel_account, has_recording=True, recording_url="https://storage.example/r.mp3?sig=s3cret")
    RecordingAccess.objects.create(call=call, user=admin_login.user, kind="play")
    client.login(username=admin_login.username, password=admin_login.password)

    assert client.get(f"/admin/calls/{model}/").status_code == 200
    page = client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()
    assert "s3cret" not in page
