"""Finding an agent by a device: any writing of a number finds them on the board; a device no agent
here has is asked of Exotel (admins and account-wide supervisors only) and its user can be added."""

import pytest

from agents.device_address import device_address
from agents.models import Agent

from .conftest import sandbox_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("typed", "address"),
    [
        ("+91 99000 00101", "+919900000101"),
        ("099000 00101", "+919900000101"),
        ("9900000101", "+919900000101"),
        ("sip:asha.rao", "sip:asha.rao"),
        ("Asha", ""),
        ("0101", ""),
        ("+91 12345 12345 12345", ""),
    ],
)
def test_what_a_person_types_becomes_exotels_contact_uri(typed, address):
    assert device_address(typed) == address


def test_a_number_written_with_spaces_finds_the_agent_on_the_board(client, board_supervisor, ccm_agent):
    client.force_login(board_supervisor.user)

    page = client.get("/agents/", {"q": "+91 99000 00101"}).content.decode()

    assert f'data-testid="agent-row-{ccm_agent.pk}"' in page and "Ask Exotel" not in page


def test_a_device_nobody_here_has_is_asked_of_exotel_and_its_user_added(client, sandbox, board_supervisor, ccm_agent):
    vikram = sandbox_user(
        sandbox,
        first_name="Vikram",
        last_name="Shah",
        email="vikram@example.com",
        devices=[{"name": "Mobile", "contact_uri": "+919900000202", "type": "tel", "available": True}],
    )
    client.force_login(board_supervisor.user)

    board = client.get("/agents/", {"q": "99000 00202"}).content.decode()
    assert "No agent here has the device <strong>+919900000202</strong>" in board
    found = client.get("/agents/find-in-exotel/", {"q": "99000 00202"}).content.decode()
    assert "Vikram Shah" in found and "Add Vikram Shah to exoadmin" in found
    assert sandbox.requests("/users", "GET")[-1]["query"].endswith("devices.contact_uri=%2B919900000202")

    added = client.post("/agents/add-from-exotel/", {"account": ccm_agent.account_id, "user_id": vikram["id"]})

    agent = Agent.objects.get(exotel_user_id=vikram["id"])
    assert added.status_code == 302 and added["Location"] == f"/agents/{agent.pk}/"
    assert agent.name == "Vikram Shah" and [d.contact_uri for d in agent.devices.all()] == ["+919900000202"]
    assert agent.availability == "available"
    assert "Vikram Shah is added from Exotel" in client.get(added["Location"]).content.decode()


def test_an_agent_already_here_is_linked_not_added_again(client, sandbox, board_supervisor, ccm_agent):
    client.force_login(board_supervisor.user)

    found = client.get("/agents/find-in-exotel/", {"q": "sip:asha.rao"}).content.decode()

    assert f'already here as <a href="/agents/{ccm_agent.pk}/">Asha Rao</a>' in found and "Add " not in found


def test_what_is_not_a_device_or_unknown_to_exotel_is_said(client, board_supervisor, ccm_agent):
    client.force_login(board_supervisor.user)

    not_a_device = client.get("/agents/find-in-exotel/", {"q": "Zed"}).content.decode()
    assert "“Zed” is not a phone number or a SIP address" in not_a_device
    nobody = client.get("/agents/find-in-exotel/", {"q": "+919900000999"}).content.decode()
    assert "Exotel has no user with the device <strong>+919900000999</strong> either" in nobody


def test_a_team_lead_cannot_ask_exotel_or_add_people(client, sandbox, supervisor_login, exotel_account, ccm_agent):
    exotel_account.members.add(supervisor_login.user)  # a member, not account-wide: sees only teams they lead
    client.force_login(supervisor_login.user)

    assert "Ask Exotel" not in client.get("/agents/", {"q": "+919900000202"}).content.decode()
    refused = client.get("/agents/find-in-exotel/", {"q": "+919900000202"}).content.decode()
    assert "Only admins and account-wide supervisors can look people up in Exotel." in refused
    added = client.post("/agents/add-from-exotel/", {"account": exotel_account.pk, "user_id": "x"}, follow=True)
    assert "Only admins and account-wide supervisors of that account can add its people." in added.content.decode()
    assert sandbox.requests("/users", "GET")[-1]["query"].find("devices.contact_uri") == -1
