"""The demo world: one account, two ExoPhones, four agents with devices, three integrations users
and N contacts. Plain constants, so the Django side can import them (demo logins, settings)."""

from __future__ import annotations

import time
from typing import Any

from exoadmin.sandbox import seeding
from exoadmin.sandbox.store import Store

DEMO_ACCOUNT = {
    "sid": "exoadmin-demo",
    "api_key": "demo-key",
    "api_token": "demo-token",
    "customer_id": "demo-customer",
    "app_id": "demo-app",
    "app_token": "demo-app-token",
    "app_secret": "demo-app-secret",
}
DEMO_EXOPHONES = ["+918030752400", "+918030752401"]
DEFAULT_CONTACTS = 200

# One agent per interesting device state: phone ON, softphone ON, an unverified phone, busy on a call.
DEMO_USERS: list[dict[str, Any]] = [
    {
        "id": "a5a0000000000000000000000000a5a1",
        "first_name": "Asha",
        "last_name": "Rao",
        "email": "asha@example.com",
        "role": "user",
        "last_login_hours_ago": 2,
        "devices": [
            {"id": 100101, "name": "Asha's mobile", "contact_uri": "+919876500001", "available": True},
            {"id": 100102, "name": "Asha's softphone", "contact_uri": "sip:asha.rao"},
        ],
    },
    {
        "id": "b1c0000000000000000000000000b1c2",
        "first_name": "Vikram",
        "last_name": "Shah",
        "email": "vikram@example.com",
        "role": "supervisor",
        "last_login_hours_ago": 20,
        "devices": [
            {"id": 100201, "name": "Vikram's mobile", "contact_uri": "+919876500002"},
            {"id": 100202, "name": "Vikram's softphone", "contact_uri": "sip:vikram.shah", "available": True},
        ],
    },
    {
        "id": "c3e0000000000000000000000000c3e3",
        "first_name": "Meera",
        "last_name": "Iyer",
        "email": "meera@example.com",
        "role": "user",
        "last_login_hours_ago": None,
        "devices": [
            {"id": 100301, "name": "Meera's new mobile", "contact_uri": "+919876500003", "verified": False},
            {"id": 100302, "name": "Meera's softphone", "contact_uri": "sip:meera.iyer"},
        ],
    },
    {
        "id": "d4a0000000000000000000000000d4a4",
        "first_name": "Rahul",
        "last_name": "Das",
        "email": "rahul@example.com",
        "role": "user",
        "last_login_hours_ago": 1,
        "devices": [
            {
                "id": 100401,
                "name": "Rahul's mobile",
                "contact_uri": "+919876500004",
                "available": True,
                "status": "busy",
            },
        ],
    },
]

DEMO_INTEGRATION_USERS: list[dict[str, Any]] = [
    {
        "user_id": "agent_001",
        "phone": {"enabled": True, "number": "+919876543210"},
        "sip": {
            "enabled": True,
            "username": "agent_001@demo-app.exotel.com",
            "registered": True,
            "last_seen": "2026-01-01T09:00:00+00:00",
        },
    },
    {
        "user_id": "agent_002",
        "phone": {"enabled": True, "number": "+919876543211"},
        "sip": {"enabled": False, "username": "agent_002@demo-app.exotel.com", "registered": False, "last_seen": None},
    },
    {
        "user_id": "agent_003",
        "phone": {"enabled": False, "number": "+919876543212"},
        "sip": {
            "enabled": True,
            "username": "agent_003@demo-app.exotel.com",
            "registered": True,
            "last_seen": "2026-01-01T09:30:00+00:00",
        },
    },
]


def seed(store: Store, contacts: int = DEFAULT_CONTACTS) -> None:
    account_sid = DEMO_ACCOUNT["sid"]
    now = time.time()
    seeding.put_account(store, DEMO_ACCOUNT | {"exophones": DEMO_EXOPHONES})
    for user in DEMO_USERS:
        hours_ago = user["last_login_hours_ago"]
        seeding.add_user(
            store,
            user | {"account_sid": account_sid, "last_login": None if hours_ago is None else now - hours_ago * 3600},
        )
    for integration_user in DEMO_INTEGRATION_USERS:
        seeding.put_integration_user(store, integration_user | {"account_sid": account_sid})
    store.add_contacts(seeding.generated_contacts(account_sid, contacts))
