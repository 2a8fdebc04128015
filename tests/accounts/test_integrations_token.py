"""Keeping the integrations app token alive: renewed by beat before it dies, used by the next phone/SIP
switch with no restart; a refused renewal keeps the old token and says on /healthz what to do."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.audit import Actor
from agents.models import Agent, DeviceModel, Source
from agents.phone_sip import phone_sip_set
from agents.sync import agents_sync
from exoadmin.accounts import integrations_token
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.tasks import bulk_integrations_tokens_renew
from exoadmin.locks import integrations_token_lock
from exoadmin.refusals import Refused
from tests.exotel.conftest import ACCOUNT

SECRET = "acme-app-secret-s3cret"


@pytest.fixture
def account(sandbox, exotel_account):
    """Acme with the app secret stored on both sides, and a token seeded to die in 60 s."""
    sandbox.control("POST", "/_sandbox/accounts", sandbox_account(app_token_ttl=60))
    exotel_account.integrations_app_secret = SECRET
    exotel_account.integrations_token_issued_at = timezone.now() - timedelta(days=89, hours=23)
    exotel_account.save()
    return exotel_account


@pytest.fixture
def priya(sandbox, account):
    sandbox.control(
        "POST",
        "/_sandbox/integration-users",
        {"account_sid": "acme", "user_id": "agent_007", "phone": {"enabled": True, "number": "+919900000777"}},
    )
    agent = Agent.objects.create(
        account=account, name="Priya Nair", integrations_user_id="agent_007", device_model=DeviceModel.INTEGRATIONS
    )
    agents_sync(account=account)  # reads her devices with the token in use now
    return agent


def _expire_seeded_token(sandbox):
    sandbox.control("POST", "/_sandbox/accounts", sandbox_account(app_token_ttl=0))


def sandbox_account(**changes):
    """Acme as the sandbox holds it (tests/exotel's account), with the app secret Exotel knows."""
    return ACCOUNT | {"app_secret": SECRET} | changes


def test_beat_renews_a_token_near_its_end_and_the_next_switch_uses_it(sandbox, account, priya, supervisor_login):
    assert bulk_integrations_tokens_renew.apply().get() == 1

    account.refresh_from_db()
    assert account.integrations_app_token != "acme-app-token-s3cret"
    assert timezone.now() - account.integrations_token_issued_at < timedelta(minutes=1)
    assert account.integrations_token_expires_at - timezone.now() > timedelta(days=89)
    _expire_seeded_token(sandbox)  # the old token no longer works anywhere

    priya.refresh_from_db()
    devices = phone_sip_set(agent=priya, actor=Actor.person(supervisor_login.user, Source.SUPERVISOR), sip=True)
    assert devices.sip_enabled is True
    assert bulk_integrations_tokens_renew.apply().get() == 0  # nothing due any more


def test_a_refused_renewal_keeps_the_old_token_and_healthz_says_what_to_do(
    sandbox, account, priya, admin_login, client
):
    sandbox.control("POST", "/_sandbox/accounts", sandbox_account(app_secret="rotated-in-exotel"))

    assert bulk_integrations_tokens_renew.apply().get() == 0

    account.refresh_from_db()
    assert account.integrations_app_token == "acme-app-token-s3cret"
    assert "did not accept the integrations app id and secret" in account.integrations_token_renewal_error
    client.force_login(admin_login.user)
    health = client.get("/healthz?format=json")
    check = next(c for c in health.json()["checks"] if c["name"] == "integrations app token: Acme")
    assert check["ok"] and check["warning"]  # still works: needs attention, is not an outage
    assert "expires on" in check["detail"] and "(0 days); renewal failed" in check["detail"]
    assert "Renew the integrations app token now" in check["detail"] and SECRET not in health.content.decode()


def test_an_expired_token_fails_healthz(account, client, admin_login):
    ExotelAccount.objects.filter(pk=account.pk).update(
        integrations_token_issued_at=timezone.now() - timedelta(days=91), integrations_app_secret=""
    )

    client.force_login(admin_login.user)
    health = client.get("/healthz?format=json")

    check = next(c for c in health.json()["checks"] if c["name"] == "integrations app token: Acme")
    assert health.status_code == 503 and not check["ok"] and "expired on" in check["detail"]
    assert "phone/SIP switches fail; store the app secret" in check["detail"]


def test_a_fresh_token_is_not_due_and_is_reported_valid(account, client, admin_login):
    ExotelAccount.objects.filter(pk=account.pk).update(integrations_token_issued_at=timezone.now())

    assert integrations_token.tokens_due(timezone.now()) == []
    client.force_login(admin_login.user)
    check = next(c for c in client.get("/healthz?format=json").json()["checks"] if c["name"].startswith("integr"))
    assert check["ok"] and not check["warning"] and "renewed by exoadmin" in check["detail"]


def test_renewal_needs_the_secret_and_runs_once_at_a_time(account):
    with integrations_token_lock(account.pk) as acquired:
        assert acquired
        with pytest.raises(Refused, match="being renewed already"):
            integrations_token.integrations_token_renew(account=account)

    account.integrations_app_secret = ""
    with pytest.raises(Refused, match="Set the integrations app id and app secret first"):
        integrations_token.integrations_token_renew(account=account)


def test_a_switch_with_an_expired_token_says_what_to_do(sandbox, account, priya, supervisor_login):
    _expire_seeded_token(sandbox)
    priya.refresh_from_db()

    with pytest.raises(Refused, match="invalid or expired.*Renew the integrations app token now"):
        phone_sip_set(agent=priya, actor=Actor.person(supervisor_login.user, Source.SUPERVISOR), sip=True)
