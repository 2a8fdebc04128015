import pytest

from calls.models import CallOutcome, CallSettings, OutcomeChange, RecordingAccess
from calls.outcomes import call_outcome_set
from tests.calls.conftest import make_call


@pytest.mark.parametrize(
    "model", ["call", "callleg", "callevent", "recordingaccess", "callsettings", "calloutcome", "outcomechange"]
)
def test_admin_lists_calls_legs_events_recording_accesses_and_outcomes(client, admin_login, exotel_account, model):
    call = make_call(exotel_account, has_recording=True, recording_url="https://storage.example/r.mp3?sig=s3cret")
    RecordingAccess.objects.create(call=call, user=admin_login.user, kind="play")
    client.login(username=admin_login.username, password=admin_login.password)

    assert client.get(f"/admin/calls/{model}/").status_code == 200
    page = client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()
    assert "s3cret" not in page


def test_admins_keep_outcomes_per_account_and_read_the_audit_they_cannot_edit(client, admin_login, exotel_account):
    CallSettings.objects.create(account=exotel_account, outcome_required=True)
    interested = CallOutcome.objects.create(account=exotel_account, name="Interested")
    call = make_call(exotel_account)
    call_outcome_set(user=admin_login.user, call_key=call.key, outcome_id=interested.pk, note="Brochure")
    change = OutcomeChange.objects.get()
    client.force_login(admin_login.user)

    outcomes = client.get("/admin/calls/calloutcome/", {"q": "Inter"}).content.decode()
    audit = client.get(f"/admin/calls/outcomechange/{change.pk}/change/").content.decode()
    call_page = client.get(f"/admin/calls/call/{call.pk}/change/").content.decode()
    settings_list = client.get("/admin/calls/callsettings/").content.decode()

    assert "Interested" in outcomes and 'name="form-0-position"' in outcomes and 'name="form-0-active"' in outcomes
    assert 'name="before"' not in audit and "Brochure" in audit
    assert client.get("/admin/calls/outcomechange/add/").status_code == 403
    assert client.post(f"/admin/calls/outcomechange/{change.pk}/delete/").status_code == 403
    assert "Brochure" in call_page and 'name="outcome"' not in call_page
    assert "Every answered call needs an outcome" in settings_list
