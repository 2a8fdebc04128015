"""Sync from Exotel: every page of users, links logins by email, and flags drift instead of hiding it."""

from agents import sync
from agents.models import Agent, Outcome

from .conftest import PHONE, change_in_exotel, sandbox_user


def test_sync_reads_every_page_of_users(sandbox, exotel_account):
    for n in range(57):
        sandbox_user(
            sandbox,
            first_name=f"Agent{n:02d}",
            email=f"a{n}@example.com",
            devices=[{"contact_uri": f"+9199000{n:05d}", "type": "tel"}],
        )

    result = sync.agents_sync(account=exotel_account)

    assert result.agents == result.created == 57
    assert Agent.objects.filter(account=exotel_account).count() == 57
    assert len(sandbox.requests("/users", "GET")) >= 2  # 50 + 7


def test_sync_links_the_login_with_the_same_email(ccm_agent, agent_login, other_agent_login, sandbox, exotel_account):
    assert ccm_agent.user == agent_login.user
    other_agent_login.user.email = "Vikram.Shah@Example.com"  # the case people type it in
    other_agent_login.user.save()
    sandbox_user(sandbox, first_name="Vikram", last_name="Shah", email="vikram.shah@example.com")
    sandbox_user(sandbox, first_name="Asha", last_name="Again", email="ASHA@example.com")  # her login is taken

    result = sync.agents_sync(account=exotel_account)

    assert result.linked == 1
    assert Agent.objects.get(email="vikram.shah@example.com").user == other_agent_login.user
    assert Agent.objects.get(email="ASHA@example.com").user is None


def test_a_change_behind_the_products_back_is_flagged_as_drift_not_overwritten(
    ccm_agent, ccm_user, sandbox, exotel_account
):
    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)

    sync.agents_sync(account=exotel_account)

    ccm_agent.refresh_from_db()
    phone = ccm_agent.devices.get(contact_uri=PHONE)
    assert (phone.available, phone.expected_available) == (False, True)
    assert ccm_agent.has_drift and ccm_agent.availability == "off"
    drift = ccm_agent.events.get(outcome=Outcome.DRIFT)
    assert drift.source == "sync" and "Exotel says OFF, but the product last set ON" in drift.message

    sync.agents_sync(account=exotel_account)
    assert ccm_agent.events.filter(outcome=Outcome.DRIFT).count() == 1, "one drift, one audit row"


def test_phone_sip_drift_is_flagged(phone_sip_agent, sandbox, exotel_account):
    sandbox.control("PATCH", "/_sandbox/integration-users/agent_007", {"sip": {"enabled": True}})

    sync.agents_sync(account=exotel_account)

    phone_sip_agent.refresh_from_db()
    assert phone_sip_agent.has_drift
    assert phone_sip_agent.events.get(outcome=Outcome.DRIFT).after == "phone ON, SIP ON"


def test_sync_failure_is_reported_not_raised(exotel_account, sandbox):
    exotel_account.api_token = "wrong"
    exotel_account.save()

    result = sync.agents_sync(account=exotel_account)

    assert result.errors and "rejected the API key/token" in result.errors[0]


def test_a_sync_never_undoes_a_change_made_after_its_snapshot(ccm_agent, ccm_user, sandbox, exotel_account):
    from datetime import timedelta

    from django.utils import timezone

    change_in_exotel(sandbox, ccm_user["id"], PHONE, available=False)
    # A person changed this agent after the snapshot the sync is about to apply was taken.
    Agent.objects.filter(pk=ccm_agent.pk).update(last_change_at=timezone.now() + timedelta(minutes=1))

    sync.agents_sync(account=exotel_account)

    phone = ccm_agent.devices.get(contact_uri=PHONE)
    assert (phone.available, phone.expected_available) == (True, True)
    assert not ccm_agent.events.filter(outcome=Outcome.DRIFT).exists()


def test_a_second_sync_of_the_same_account_waits_for_the_first(ccm_agent, sandbox, exotel_account):
    from exoadmin.locks import account_sync_lock

    requests_before = len(sandbox.requests("/users", "GET"))
    with account_sync_lock(exotel_account.pk) as running:
        assert running
        result = sync.agents_sync(account=exotel_account)

    assert result.errors == ["A sync of this account is already running."]
    assert len(sandbox.requests("/users", "GET")) == requests_before
