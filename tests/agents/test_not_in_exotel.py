"""Agents whose user was deleted in Exotel: flagged after a complete listing only, shown in words,
and never switched (a clear refusal instead of Exotel's 404)."""

import dataclasses
import re

import pytest
from django.utils import timezone

from agents import devices, sync
from agents.models import GONE_FROM_EXOTEL, Agent, DeviceModel, Outcome
from exoadmin.refusals import Refused

from .conftest import PHONE, SIP, sandbox_user

SINCE = re.compile(r"Not found in Exotel since \d\d:\d\d")


def delete_in_exotel(sandbox, user_id: str) -> None:
    sandbox.control("DELETE", f"/_sandbox/users/{user_id}")


@pytest.fixture
def deleted_agent(ccm_agent, ccm_user, sandbox, exotel_account):
    """Asha, deleted in Exotel's dashboard, and a sync since."""
    delete_in_exotel(sandbox, ccm_user["id"])
    result = sync.agents_sync(account=exotel_account)
    assert result.listing_complete and result.missing == 1
    return Agent.objects.get(pk=ccm_agent.pk)


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def test_a_user_deleted_in_exotel_is_flagged_and_off_after_a_complete_sync(deleted_agent, exotel_account):
    since = deleted_agent.missing_in_exotel_since
    assert since is not None and deleted_agent.availability == "off"

    sync.agents_sync(account=exotel_account)

    deleted_agent.refresh_from_db()
    assert deleted_agent.missing_in_exotel_since == since, "flagged once: the time says since when"


def test_a_user_back_in_exotel_is_no_longer_flagged(deleted_agent, ccm_user, sandbox, exotel_account):
    sandbox.control(
        "POST",
        "/_sandbox/users",
        {
            "account_sid": "acme",
            "id": ccm_user["id"],
            "first_name": "Asha",
            "last_name": "Rao",
            "email": "asha@example.com",
            "devices": [{"contact_uri": PHONE, "available": True}],
        },
    )  # Asha again, with her old user id (the deletion was a mistake)

    sync.agents_sync(account=exotel_account)

    deleted_agent.refresh_from_db()
    assert deleted_agent.missing_in_exotel_since is None and deleted_agent.availability == "available"


def test_a_listing_that_fails_half_way_flags_nobody(ccm_agent, ccm_user, sandbox, exotel_account):
    for n in range(55):  # Asha is on the first page of 50, these fill a second one
        sandbox_user(
            sandbox,
            first_name=f"Agent{n:02d}",
            email=f"a{n}@example.com",
            devices=[{"contact_uri": f"+9199000{n:05d}", "type": "tel"}],
        )
    sync.agents_sync(account=exotel_account)
    delete_in_exotel(sandbox, ccm_user["id"])
    # Exotel's rate limit refuses the second page of the next listing (Retry-After a minute away).
    sandbox.configure(rate_limit=len(sandbox.requests()) + 1)

    result = sync.agents_sync(account=exotel_account)

    assert not result.listing_complete and result.errors
    assert [r["status"] for r in sandbox.requests("/users", "GET")][-2:] == [200, 429]
    assert not Agent.objects.filter(missing_in_exotel_since__isnull=False).exists()


def test_switching_an_agent_not_in_exotel_is_refused_without_asking_exotel(deleted_agent, sandbox, supervisor_actor):
    sip = deleted_agent.devices.get(contact_uri=SIP)
    phone = deleted_agent.devices.get(contact_uri=PHONE)

    for change in (
        lambda: devices.device_switch_to(device=sip, actor=supervisor_actor),
        lambda: devices.device_set_available(device=phone, available=False, actor=supervisor_actor),
        lambda: devices.agent_go_unavailable(agent=deleted_agent, actor=supervisor_actor),
    ):
        with pytest.raises(Refused, match=SINCE) as refused:
            change()
        assert "removed there? Nothing was sent to Exotel" in refused.value.message

    assert sandbox.requests("/devices", "PUT") == []
    assert deleted_agent.events.filter(outcome=Outcome.REFUSED).count() == 3


def test_the_board_says_since_when_and_links_admins_to_remove_it(client, admin_login, deleted_agent):
    log_in(client, admin_login)

    html = client.get("/agents/").content.decode()

    local = timezone.localtime(deleted_agent.missing_in_exotel_since)
    assert f"Not found in Exotel since {local:%H:%M} — removed there?" in html
    assert f'href="/admin/agents/agent/{deleted_agent.pk}/delete/">Remove here in admin</a>' in html
    assert "1 not found in Exotel" in html
    assert client.get(f"/admin/agents/agent/{deleted_agent.pk}/delete/").status_code == 200
    assert re.search(rf'aria-label="Switch Asha Rao to SIP {SIP}"\s+disabled', html)


def test_a_supervisors_click_gets_the_words_not_exotels_404(client, board_supervisor, deleted_agent, sandbox):
    log_in(client, board_supervisor)
    sip = deleted_agent.devices.get(contact_uri=SIP)

    html = client.post(
        f"/agents/{deleted_agent.pk}/devices/{sip.pk}/", {"action": "switch"}, HTTP_HX_REQUEST="true"
    ).content.decode()

    assert SINCE.search(html) and "An admin can remove it here" in html
    assert sandbox.requests("/devices", "PUT") == []


def test_the_agent_page_explains_it_and_the_filter_finds_them(client, board_supervisor, deleted_agent, exotel_account):
    Agent.objects.create(account=exotel_account, name="Still There", exotel_user_id="u-other")
    log_in(client, board_supervisor)

    detail = client.get(f"/agents/{deleted_agent.pk}/").content.decode()
    board = client.get("/agents/?missing=1").content.decode()

    assert SINCE.search(detail) and "Exotel&#x27;s list of users no longer has this one" in detail
    assert "Asha Rao" in board and "Still There" not in board


def test_csv_says_since_when(client, board_supervisor, deleted_agent):
    log_in(client, board_supervisor)

    body = b"".join(client.get("/agents/export.csv").streaming_content).decode()

    assert deleted_agent.missing_in_exotel_since.isoformat() in body


def test_the_agent_is_told_on_their_own_page_and_its_buttons_are_off(client, deleted_agent, agent_login):
    log_in(client, agent_login)

    html = client.get("/agents/me/").content.decode()

    assert SINCE.search(html) and "Exotel no longer has your user" in html
    assert "You are not taking calls." in html
    assert re.search(r'value="off" disabled>Turn OFF', html) and re.search(r'value="switch" disabled>', html)


@pytest.fixture
def sixty_agents(sandbox, exotel_account):
    """60 users (two pages of the sync) mirrored as agents."""
    created = [sandbox_user(sandbox, first_name=f"U{n:03}", email=f"u{n}@example.com", devices=[]) for n in range(60)]
    sync.agents_sync(account=exotel_account)
    assert Agent.objects.filter(account=exotel_account).count() == 60
    return created


def test_a_user_skipped_by_a_listing_that_shifted_under_it_is_not_flagged(
    sixty_agents, sandbox, exotel_account, monkeypatch
):
    """Exotel pages by offset: a user deleted from page 1 and another added while page 2 is read keep
    the total, and one user slides out of both pages. Only a 404 for that user proves it is gone."""
    list_users = sync.users.list_users

    def delete_and_add_before_page_two(client, *, offset=0, limit=50):
        if offset == 50:
            delete_in_exotel(sandbox, sixty_agents[0]["id"])
            sandbox_user(sandbox, first_name="Newcomer", email="new@example.com", devices=[])
        return list_users(client, offset=offset, limit=limit)

    monkeypatch.setattr(sync.users, "list_users", delete_and_add_before_page_two)
    sync.agents_sync(account=exotel_account)  # U050 slid out of both pages; U000 was read before it went
    flagged_then = list(Agent.objects.filter(missing_in_exotel_since__isnull=False).values_list("name", flat=True))
    monkeypatch.setattr(sync.users, "list_users", list_users)
    sync.agents_sync(account=exotel_account)

    assert flagged_then == []
    assert list(Agent.objects.filter(missing_in_exotel_since__isnull=False).values_list("name", flat=True)) == [
        "U000 Rao"
    ]


def test_a_listing_that_does_not_say_its_length_reads_every_page_and_flags_nobody(
    sixty_agents, sandbox, exotel_account, monkeypatch
):
    delete_in_exotel(sandbox, sixty_agents[59]["id"])
    list_users = sync.users.list_users

    def without_total(client, *, offset=0, limit=50):
        return dataclasses.replace(list_users(client, offset=offset, limit=limit), total=None)

    monkeypatch.setattr(sync.users, "list_users", without_total)
    result = sync.agents_sync(account=exotel_account)

    assert result.agents == 59 and not result.listing_complete
    assert not Agent.objects.filter(missing_in_exotel_since__isnull=False).exists()


def test_only_a_ccm_agent_is_gone_when_exotel_no_longer_has_its_user(exotel_account):
    """The flag records Exotel's 404 for the CCM user; a phone/SIP agent rings through the
    integrations app, which that says nothing about. Property and query agree."""
    now = timezone.now()
    agents = {
        (model, flagged): Agent.objects.create(
            account=exotel_account,
            name=f"{model} {flagged}",
            exotel_user_id=f"u-{model}-{flagged}",
            device_model=model,
            missing_in_exotel_since=now if flagged else None,
        )
        for model in DeviceModel.values
        for flagged in (True, False)
    }

    assert {key for key, agent in agents.items() if agent.is_gone_from_exotel} == {(DeviceModel.CCM, True)}
    assert list(Agent.objects.filter(GONE_FROM_EXOTEL)) == [agents[(DeviceModel.CCM, True)]]


def test_a_phone_sip_agent_whose_ccm_user_is_gone_still_rings_and_switches(client, board_supervisor, phone_sip_agent):
    from calls.preflight import preflight_check

    Agent.objects.filter(pk=phone_sip_agent.pk).update(exotel_user_id="u-gone", missing_in_exotel_since=timezone.now())
    log_in(client, board_supervisor)

    board = client.get("/agents/").content.decode()

    assert 'data-testid="not-in-exotel"' not in board and "not found in Exotel" not in board
    assert "Rings on Phone +919900000777" in board
    assert re.search(r'aria-label="Turn SIP ON for Priya Nair"\s*>', board)
    assert preflight_check(agent=Agent.objects.get(pk=phone_sip_agent.pk)).ok
