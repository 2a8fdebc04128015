"""The agent's own page: plain words, one control per device, confirmed state, only their own devices."""

import pytest
from django.test import Client

from agents.models import AvailabilityEvent
from tests.support.live_calls import callbacks_withheld, place_call

from .conftest import PHONE, SIP, exotel_devices, sandbox_user


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def test_agents_home_says_where_calls_ring(client, ccm_agent, agent_login):
    log_in(client, agent_login)

    page = client.get("/").content.decode()

    assert f"Calls ring on your phone {PHONE}." in page
    assert page.count('name="action"') == 2  # one control per device


def test_switching_from_the_page_swaps_in_the_confirmed_state(client, ccm_agent, ccm_user, sandbox, agent_login):
    log_in(client, agent_login)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    response = client.post(f"/agents/me/devices/{sip.pk}/", {"action": "switch"}, HTTP_HX_REQUEST="true")

    html = response.content.decode()
    assert response.status_code == 200 and 'id="my-devices"' in html
    assert f"Calls ring on your SIP softphone {SIP}." in html
    assert exotel_devices(sandbox, ccm_user["id"])[SIP]["available"] is True
    assert ccm_agent.events.filter(source="agent").count() == 2


def test_a_refusal_shows_the_specific_message(client, ccm_agent, agent_login):
    log_in(client, agent_login)
    sip = ccm_agent.devices.get(contact_uri=SIP)

    html = client.post(f"/agents/me/devices/{sip.pk}/", {"action": "on"}, HTTP_HX_REQUEST="true").content.decode()

    assert "Another device is ON: turn it OFF first" in html and 'role="alert"' in html


def test_without_htmx_the_page_redirects_home_with_the_message(client, ccm_agent, agent_login):
    log_in(client, agent_login)
    phone = ccm_agent.devices.get(contact_uri=PHONE)

    response = client.post(f"/agents/me/devices/{phone.pk}/", {"action": "off"}, follow=True)

    assert response.redirect_chain[-1][0] == "/"
    assert "You are not taking calls." in response.content.decode()


def test_an_agent_posting_another_agents_device_gets_404_and_nothing_changes(
    client, ccm_agent, sandbox, exotel_account, other_agent_login
):
    from agents.sync import agents_sync

    other = sandbox_user(
        sandbox,
        first_name="Vikram",
        last_name="Shah",
        email="vikram@example.com",
        devices=[{"contact_uri": "+919900000202", "type": "tel", "available": True}],
    )
    other_agent_login.user.email = "vikram@example.com"
    other_agent_login.user.save()
    agents_sync(account=exotel_account)
    log_in(client, other_agent_login)
    ashas_phone = ccm_agent.devices.get(contact_uri=PHONE)
    events_before = AvailabilityEvent.objects.count()

    response = client.post(f"/agents/me/devices/{ashas_phone.pk}/", {"action": "off"})

    assert response.status_code == 404
    assert exotel_devices(sandbox, ccm_agent.exotel_user_id)[PHONE]["available"] is True
    assert AvailabilityEvent.objects.count() == events_before
    assert other["id"] != ccm_agent.exotel_user_id


def test_an_agent_cannot_use_the_supervisor_controls(client, ccm_agent, agent_login):
    log_in(client, agent_login)
    phone = ccm_agent.devices.get(contact_uri=PHONE)

    response = client.post(f"/agents/{ccm_agent.pk}/devices/{phone.pk}/", {"action": "off"})

    assert response.status_code == 403
    assert not AvailabilityEvent.objects.exists()


def test_an_unknown_action_is_a_400_not_a_500(client, ccm_agent, agent_login):
    log_in(client, agent_login)
    phone = ccm_agent.devices.get(contact_uri=PHONE)

    assert client.post(f"/agents/me/devices/{phone.pk}/", {"action": "explode"}).status_code == 400


def test_phone_sip_agent_cannot_turn_off_the_last_device(client, phone_sip_agent, agent_login):
    phone_sip_agent.user = agent_login.user
    phone_sip_agent.save()
    log_in(client, agent_login)

    html = client.post("/agents/me/phone-sip/", {"phone": "off"}, HTTP_HX_REQUEST="true").content.decode()

    assert "At least one of phone and SIP must stay enabled" in html
    assert "Calls ring on your phone +919900000777." in html


def test_a_login_without_an_agent_is_told_so(client, agent_login):
    log_in(client, agent_login)

    assert "not linked to an agent in Exotel yet" in client.get("/agents/me/").content.decode()


def test_the_page_refreshes_its_devices_section_for_htmx(client, ccm_agent, agent_login):
    log_in(client, agent_login)

    html = client.get("/agents/me/", HTTP_HX_REQUEST="true").content.decode()

    assert html.lstrip().startswith('<section id="my-devices"') and "<html" not in html


def test_the_only_enabled_phone_or_sip_has_its_turn_off_disabled_with_the_reason(
    client, phone_sip_agent, agent_login, supervisor_actor
):
    from agents.phone_sip import phone_sip_set

    phone_sip_agent.user = agent_login.user
    phone_sip_agent.save()
    log_in(client, agent_login)

    html = client.get("/agents/me/").content.decode()

    assert '<button class="big" name="phone" value="off" disabled aria-describedby="keep-one-phone">' in html
    assert '<p class="muted keep-one" id="keep-one-phone">At least one of phone and SIP must stay on</p>' in html
    assert '<button class="big primary" name="sip" value="on">' in html

    phone_sip_set(agent=phone_sip_agent, actor=supervisor_actor, sip=True)
    html = client.get("/agents/me/").content.decode()

    assert " disabled " not in html and "must stay on" not in html, "with both on, either may go OFF"


@pytest.mark.django_db(transaction=True)
def test_the_agents_own_page_shows_the_call_they_are_on_with_a_link_to_it(
    client, sandbox, ccm_agent, agent_login, board_supervisor
):
    callbacks_withheld(sandbox)
    supervisor = Client()
    log_in(supervisor, board_supervisor)
    call = place_call(supervisor, ccm_agent, "+919876543210")
    log_in(client, agent_login)

    for url in ("/agents/me/", "/"):
        page = client.get(url).content.decode()
        assert "You are on a call." in page, url
        assert (
            f'<a href="/calls/{call.key}/" data-testid="live-call-link">Outbound call with +919876543210</a>' in page
        ), url
        assert f"on your phone {PHONE}" in page and f'data-since="{int(call.since.timestamp())}"' in page, url
        assert "js/clocks.js" in page, url  # the clock runs
    assert client.get(f"/calls/{call.key}/").status_code == 200  # the link opens the agent's own call
