"""A sync of 5,000 agents: its database queries grow with pages of 50 Exotel users, not with agents."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from agents import sync
from agents.models import Agent, DeviceModel
from exoadmin.accounts.services import account_create_or_update


def account_with_agents(sandbox, sid: str, count: int):
    """An Exotel account with `count` CCM users (a phone, ON) and `count` phone/SIP users.

    One device each keeps a page's bulk statements under SQLite's 999 parameters, past which Django
    splits one statement in two (PostgreSQL takes 65,535)."""
    creds = {
        "sid": sid,
        "api_key": f"{sid}-key",
        "api_token": f"{sid}-token",
        "customer_id": f"{sid}-customer",
        "app_id": f"{sid}-app",
        "app_token": f"{sid}-app-token",
    }
    sandbox.control("POST", "/_sandbox/accounts", creds | {"exophones": []})
    account = account_create_or_update(
        name=sid,
        account_sid=sid,
        api_key=creds["api_key"],
        api_token=creds["api_token"],
        integrations_customer_id=creds["customer_id"],
        integrations_app_id=creds["app_id"],
        integrations_app_token=creds["app_token"],
        exophones=[],
    )
    users = [
        sandbox.control(
            "POST",
            "/_sandbox/users",
            {
                "account_sid": sid,
                "first_name": "Agent",
                "last_name": f"{n:03d}",
                "email": f"{sid}-{n}@example.com",
                "devices": [{"contact_uri": f"+91990{n:07d}", "available": True}],
            },
        )
        for n in range(count)
    ]
    for n in range(count):
        sandbox.control(
            "POST",
            "/_sandbox/integration-users",
            {
                "account_sid": sid,
                "user_id": f"{sid}-ps-{n}",
                "phone": {"enabled": True, "number": f"+91980{n:07d}"},
                "sip": {"enabled": False, "username": f"{sid}.{n}@app", "registered": False},
            },
        )
        Agent.objects.create(
            account=account,
            name=f"Phone/SIP {n}",
            integrations_user_id=f"{sid}-ps-{n}",
            device_model=DeviceModel.INTEGRATIONS,
        )
    return account, users


def turn_everything_around_in_exotel(sandbox, users, sid: str) -> None:
    """Every phone OFF and every phone/SIP user on SIP too, behind the product's back: drift everywhere."""
    for user in users:
        sandbox.control("PATCH", f"/_sandbox/devices/{user['devices'][0]['id']}", {"available": False})
    for n in range(len(users)):
        sandbox.control(
            "PATCH", f"/_sandbox/integration-users/{sid}-ps-{n}", {"account_sid": sid, "sip": {"enabled": True}}
        )


def sync_queries(account) -> tuple[int, sync.SyncResult]:
    with CaptureQueriesContext(connection) as queries:
        result = sync.agents_sync(account=account)
    return len(queries), result


def test_sync_queries_do_not_grow_with_the_number_of_agents(sandbox, exotel_account):
    first, again = {}, {}
    for count in (10, 50, 60):
        sid = f"scale{count}"
        account, users = account_with_agents(sandbox, sid, count)
        first[count], result = sync_queries(account)  # creates every agent and device
        assert (result.agents, result.created) == (2 * count, count)
        turn_everything_around_in_exotel(sandbox, users, sid)
        again[count], result = sync_queries(account)  # updates them all, with drift audited
        assert result.drifted == 2 * count and not result.errors

    assert first[50] == first[10] and again[50] == again[10], "one page of 50 costs what a page of 10 costs"
    assert first[60] < 2 * first[10] and again[60] < 2 * again[10], "a second page costs one page more"
