"""The CCM single-ON rules, checked by the product before Exotel and trusted from Exotel after."""

import pytest

from agents import devices
from agents.models import AvailabilityEvent, Device, Outcome
from exoadmin.refusals import Refused

from .conftest import PHONE, SIP, change_in_exotel, exotel_devices


def test_turning_off_the_on_device_is_confirmed_by_exotel_and_audited(ccm_agent, ccm_user, sandbox, supervisor_actor):
    phone = ccm_agent.devices.get(contact_uri=PHONE)

    devices.device_set_available(device=phone, available=False, actor=supervisor_actor)

    assert exotel_devices(sandbox, ccm_user["id"])[PHONE]["available"] is False
    phone.refresh_from_db()
    ccm_agent.refresh_from_db()
    assert (phone.available, phone.expected_available) == (False, False)
    assert ccm_agent.availability == "off" and ccm_agent.last_change_by == "Sunil Menon"
    event = ccm_agent.events.first()
    assert (event.device, event.before, event.after, event.outcome) == (f"Phone {PHONE}", "ON", "OFF", Outcome.APPLIED)
    assert event.request_id and event.source == "supervisor"


def test_turning_on_a_second_device_is_refused_before_asking_exotel(ccm_agent, ccm_user, sandbox, supervisor_actor):
    sip = ccm_agent.devices.get(contact_uri=SIP)
    puts_before = len(sandbox.requests("/devices/", "PUT"))

    with pytest.raises(Refused, match="Another device is ON: turn it OFF first"):
        devices.device_set_available(device=sip, available=True, actor=supervisor_actor)

    assert len(sandbox.requests("/devices/", "PUT")) == puts_before
    assert exotel_devices(sandbox, ccm_user["id"])[SIP]["available"] is False
    refused = ccm_agent.events.get(outcome=Outcome.REFUSED)
    assert "Another device is ON" in refused.message


def test_exotel_refusing_a_second_device_on_shows_its_message(ccm_agent, ccm_user, sandbox, supervisor_actor):
    """Someone turned the phone OFF here while Exotel still has it ON: Exotel's 403/10810 wins."""
    Device.objects.filter(agent=ccm_agent, contact_uri=PHONE).update(available=False, expected_available=False)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    with pytest.raises(Refused) as refused:
        devices.device_set_available(device=sip, available=True, actor=supervisor_actor)

    assert refused.value.message == (
        f"Could not turn ON SIP ({SIP}): Exotel said: Another device is ON: turn it OFF first. "
        f"Exotel has Asha Rao's phone {PHONE} ON now."
    )
    failed = ccm_agent.events.get(outcome=Outcome.FAILED)
    assert failed.request_id and failed.message == "Another device is ON: turn it OFF first"
    assert exotel_devices(sandbox, ccm_user["id"])[SIP]["available"] is False
    phone = ccm_agent.devices.get(contact_uri=PHONE)
    assert (phone.available, phone.has_drift) == (True, True), "read back from Exotel: ON, not what was last set"


def test_an_unverified_device_cannot_be_turned_on(sandbox, exotel_account, supervisor_actor):
    from .conftest import sandbox_user, synced_agent

    sandbox_user(sandbox, devices=[{"name": "New phone", "contact_uri": PHONE, "type": "tel", "verified": False}])
    agent = synced_agent(exotel_account)
    phone = agent.devices.get()

    with pytest.raises(Refused, match="not verified yet: verify it in Exotel"):
        devices.device_set_available(device=phone, available=True, actor=supervisor_actor)

    assert agent.events.get().outcome == Outcome.REFUSED
    assert sandbox.requests("/devices/", "PUT") == []


def test_exotel_unverified_answer_is_trusted_and_stored(ccm_agent, ccm_user, sandbox, supervisor_actor):
    """The SIP device lost its verification in Exotel; the product learns it from Exotel's 409."""
    devices.device_set_available(
        device=ccm_agent.devices.get(contact_uri=PHONE), available=False, actor=supervisor_actor
    )
    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)

    with pytest.raises(Refused, match="not verified yet"):
        devices.device_set_available(
            device=ccm_agent.devices.get(contact_uri=SIP), available=True, actor=supervisor_actor
        )

    event = ccm_agent.events.filter(outcome=Outcome.FAILED).get()
    assert event.request_id


def test_every_attempt_leaves_an_audit_row(ccm_agent, supervisor_actor):
    phone = ccm_agent.devices.get(contact_uri=PHONE)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    with pytest.raises(Refused):
        devices.device_set_available(device=sip, available=True, actor=supervisor_actor)
    devices.device_set_available(device=phone, available=False, actor=supervisor_actor)
    devices.device_set_available(device=sip, available=True, actor=supervisor_actor)

    outcomes = list(AvailabilityEvent.objects.filter(agent=ccm_agent).order_by("id").values_list("outcome", flat=True))
    assert outcomes == [Outcome.REFUSED, Outcome.APPLIED, Outcome.APPLIED]
    ccm_agent.refresh_from_db()
    assert ccm_agent.availability == "available"
    assert ccm_agent.devices.get(available=True).label == f"SIP {SIP}"


def test_each_exotel_error_is_logged_with_its_request_id(ccm_agent, supervisor_actor, caplog):
    Device.objects.filter(agent=ccm_agent, contact_uri=PHONE).update(available=False, expected_available=False)

    with pytest.raises(Refused):
        devices.device_set_available(
            device=ccm_agent.devices.get(contact_uri=SIP), available=True, actor=supervisor_actor
        )

    record = next(r for r in caplog.records if r.name == "exoadmin.agents")
    failed = ccm_agent.events.get(outcome=Outcome.FAILED)  # reading back also found the phone ON: drift
    assert record.request_id == failed.request_id and record.exotel_code == 10810


def test_when_exotel_never_answers_the_change_is_reported_failed_not_assumed(
    ccm_agent, ccm_user, sandbox, supervisor_actor
):
    sandbox.configure(faults={"drop": 1.0})
    try:
        with pytest.raises(Refused, match="Exotel did not answer in time"):
            devices.device_set_available(
                device=ccm_agent.devices.get(contact_uri=PHONE), available=False, actor=supervisor_actor
            )
    finally:
        sandbox.configure(faults={"drop": 0.0})

    assert ccm_agent.events.get().outcome == Outcome.FAILED
    assert ccm_agent.devices.get(contact_uri=PHONE).available is True
