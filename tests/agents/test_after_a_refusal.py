"""After Exotel refuses a step of a switch or toggle, the product reads the agent back from Exotel
and says what Exotel reports ON now, or that it could not confirm it: never a guess."""

import html

import pytest

from agents import devices
from agents.models import Agent
from agents.phone_sip import phone_sip_set
from exoadmin.refusals import Refused

from .conftest import PHONE, SIP, change_in_exotel, exotel_devices, exotel_phone_sip, sandbox_user, synced_agent

NOT_CONFIRMED = "Reading the devices back from Exotel failed too, so what is ON now is not confirmed"


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


@pytest.fixture
def sip_on_behind_the_products_back(ccm_agent, ccm_user, sandbox, supervisor_actor):
    """Asha's phone turned OFF in exoadmin (nothing ON, it believes), then her SIP turned ON in Exotel."""
    phone = ccm_agent.devices.get(contact_uri=PHONE)
    devices.device_set_available(device=phone, available=False, actor=supervisor_actor)
    change_in_exotel(sandbox, ccm_user["id"], SIP, available=True)
    assert not ccm_agent.devices.filter(available=True).exists()
    return phone


def stop_exotel_answering_after(sandbox, requests: int) -> None:
    """Exotel's rate limit lets `requests` more through, then answers 429 for a minute."""
    sandbox.configure(rate_limit=len(sandbox.requests()) + requests)


@pytest.mark.parametrize(
    ("page", "action", "whose"),
    [
        ("board", "switch", "Asha Rao's"),  # the one-click switch
        ("board", "on", "Asha Rao's"),  # "Turn ON", what the board offers when nothing rings
        ("mine", "on", "your"),
    ],
)
def test_a_refused_step_names_the_device_exotel_really_has_on(
    client,
    board_supervisor,
    agent_login,
    sip_on_behind_the_products_back,
    ccm_agent,
    ccm_user,
    sandbox,
    page,
    action,
    whose,
):
    phone = sip_on_behind_the_products_back
    log_in(client, board_supervisor if page == "board" else agent_login)
    url = f"/agents/{ccm_agent.pk}/devices/{phone.pk}/" if page == "board" else f"/agents/me/devices/{phone.pk}/"

    said = html.unescape(client.post(url, {"action": action}, HTTP_HX_REQUEST="true").content.decode())

    assert (
        f"Exotel said: Another device is ON: turn it OFF first. Exotel has {whose} SIP softphone {SIP} ON now." in said
    )
    assert "none is ON" not in said and "No device" not in said
    in_exotel = exotel_devices(sandbox, ccm_user["id"])
    stored = {d.contact_uri: d.available for d in ccm_agent.devices.all()}
    assert stored == {uri: device["available"] for uri, device in in_exotel.items()} == {PHONE: False, SIP: True}
    assert Agent.objects.get(pk=ccm_agent.pk).availability == "available"


def test_when_the_read_back_fails_too_it_says_so_and_keeps_what_it_knew(
    sip_on_behind_the_products_back, ccm_agent, sandbox, supervisor_actor
):
    phone = sip_on_behind_the_products_back
    stop_exotel_answering_after(sandbox, 1)  # the PUT is answered (403/10810), reading back is not

    with pytest.raises(Refused) as refused:
        devices.device_set_available(device=phone, available=True, actor=supervisor_actor)

    assert refused.value.message.startswith(f"Could not turn ON Phone ({PHONE}): Exotel said: Another device is ON")
    assert NOT_CONFIRMED in refused.value.message and "Exotel has" not in refused.value.message
    assert not ccm_agent.devices.filter(available=True).exists(), "nothing stored that Exotel did not say"


def test_a_failed_roll_back_is_said_without_guessing_what_rings(ccm_agent, ccm_user, sandbox, supervisor_actor):
    change_in_exotel(sandbox, ccm_user["id"], SIP, verified=False)  # Exotel refuses the ON step (409)
    stop_exotel_answering_after(sandbox, 2)  # the OFF and the ON step are answered, nothing after

    with pytest.raises(Refused) as refused:
        devices.device_switch_to(device=ccm_agent.devices.get(contact_uri=SIP), actor=supervisor_actor)

    message = refused.value.message
    assert message.startswith(f"Could not turn ON SIP ({SIP}): Exotel said: This device is not verified yet")
    assert f"Turning Phone {PHONE} back ON also failed: Exotel said: " in message
    assert message.endswith(NOT_CONFIRMED + ": look again in a minute.")


def test_a_refused_phone_sip_change_says_what_exotel_has_enabled(phone_sip_agent, sandbox, supervisor_actor):
    phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, sip=True)  # both enabled, as exoadmin knows
    sandbox.control("PATCH", "/_sandbox/integration-users/agent_007", {"sip": {"enabled": False}})

    with pytest.raises(Refused) as refused:  # Exotel refuses: it would leave neither enabled
        phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, phone=False)

    assert refused.value.message.endswith("Exotel has Priya Nair's phone +919900000777 enabled now.")
    assert refused.value.request_id
    in_exotel = exotel_phone_sip(sandbox, "agent_007")
    phone_sip_agent.phone_sip.refresh_from_db()
    stored = phone_sip_agent.phone_sip
    assert (stored.phone_enabled, stored.sip_enabled) == (in_exotel["phone"]["enabled"], in_exotel["sip"]["enabled"])
    assert (stored.phone_enabled, stored.sip_enabled) == (True, False)


def test_no_roll_back_is_tried_when_exotel_already_has_another_device_on(sandbox, exotel_account, supervisor_actor):
    """A desk phone turned ON in Exotel meanwhile makes the ON step fail (403/10810); turning the old
    phone back ON would only be refused too, and calls ring on the desk phone anyway."""
    desk = "+919900000102"
    user = sandbox_user(
        sandbox,
        devices=[
            {"contact_uri": PHONE, "type": "tel", "available": True},
            {"contact_uri": SIP, "type": "sip", "available": False},
            {"contact_uri": desk, "type": "tel", "available": False},
        ],
    )
    agent = synced_agent(exotel_account)
    change_in_exotel(sandbox, user["id"], desk, available=True)
    puts_before = len(sandbox.requests("/devices/", "PUT"))

    with pytest.raises(Refused) as refused:
        devices.device_switch_to(device=agent.devices.get(contact_uri=SIP), actor=supervisor_actor)

    assert refused.value.message.endswith(f"Exotel has Asha Rao's phone {desk} ON now.")
    assert len(sandbox.requests("/devices/", "PUT")) == puts_before + 2, "the OFF and the ON step, no roll-back"
    assert {d.contact_uri for d in agent.devices.filter(available=True)} == {desk}
