"""Calls fixtures: agents that exist both in the sandbox and in the product, and a product that
Exotel (the sandbox) can call back."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import Agent, DeviceModel
from calls.models import Call, CallSettings, LaunchOutcome, State
from tests.support.processes import wait_until

EXOPHONE = "+918030752400"
CUSTOMER = "+919876543210"  # ends in 0: answered and completed in the sandbox


@pytest.fixture
def fast_calls(sandbox):
    sandbox.configure(ring_seconds=0.2, talk_seconds=0.3, callbacks={"delay": 0, "duplicate": 0, "reorder": 0,
                                                                       "loss": 0})


@pytest.fixture
def callbacks_to(settings, live_server):
    """Status callbacks go to this test's live server."""
    settings.EXOADMIN_PUBLIC_URL = live_server.url
    return live_server


def sandbox_agent(sandbox, *, first_name, available=True, verified=True, status="free", contact_uri="+919900000001"):
    user = sandbox.control("POST", "/_sandbox/users", {
        "account_sid": "acme", "first_name": first_name, "last_name": "Test",
        "devices": [{"name": "Mobile", "contact_uri": contact_uri, "type": "tel", "available": available,
                     "verified": verified, "status": status}]})
    return user


@pytest.fixture
def asha(exotel_account, sandbox, agent_login):
    """Asha: a CCM agent whose phone is ON, verified and free; her login is agent_login."""
    user = sandbox_agent(sandbox, first_name="Asha")
    exotel_account.members.add(agent_login.user)
    agent = Agent.objects.create(account=exotel_account, user=agent_login.user, name="Asha Rao",
                                 device_model=DeviceModel.CCM, exotel_user_id=user["id"])
    agent.sandbox_user = user
    return agent


@pytest.fixture
def vikram(exotel_account, sandbox, other_agent_login):
    user = sandbox_agent(sandbox, first_name="Vikram", contact_uri="+919900000002")
    exotel_account.members.add(other_agent_login.user)
    agent = Agent.objects.create(account=exotel_account, user=other_agent_login.user, name="Vikram Shah",
                                 device_model=DeviceModel.CCM, exotel_user_id=user["id"])
    agent.sandbox_user = user
    return agent


@pytest.fixture
def supervisor(supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    return supervisor_login


def use_api(account, version):
    CallSettings.objects.update_or_create(account=account, defaults={"api_version": version})


def make_call(account, agent=None, minutes_ago=0, **fields) -> Call:
    """A finished call as history shows it (no Exotel involved)."""
    defaults = dict(account=account, agent=agent, customer_number=CUSTOMER, exophone=EXOPHONE,
                    state=State.TERMINAL, status="completed", launch_outcome=LaunchOutcome.ACCEPTED,
                    created_at=timezone.now() - timedelta(minutes=minutes_ago), talk_time=30)
    return Call.objects.create(**(defaults | fields))


def wait_for_call(predicate, what, timeout=20):
    def check():
        call = Call.objects.order_by("-id").first()
        return call if call and predicate(call) else None

    return wait_until(check, timeout=timeout, what=what)


def public_webhook_url():
    return f"/exotel/webhook/{settings.EXOTEL_WEBHOOK_TOKEN}/"
