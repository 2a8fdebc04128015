"""The demo cast `make run` creates: one admin, an account-wide supervisor, a lead for each of the two
demo teams (agents/demo.py makes the teams), two agents, the sandbox account."""

from django.utils import timezone

from exoadmin.accounts import services
from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import Role
from exoadmin.sandbox.demo import DEMO_ACCOUNT, DEMO_EXOPHONES

DEMO_LOGINS = [
    # username, password, role, first name, last name, email
    ("admin", "exoadmin-admin", Role.ADMIN, "Anita", "Admin", "admin@example.com"),
    ("supervisor", "exoadmin-supervisor", Role.SUPERVISOR, "Sunil", "Menon", "supervisor@example.com"),
    ("sales-lead", "exoadmin-supervisor", Role.SUPERVISOR, "Sara", "Khan", "sales-lead@example.com"),
    ("support-lead", "exoadmin-supervisor", Role.SUPERVISOR, "Suresh", "Pillai", "support-lead@example.com"),
    ("asha", "exoadmin-agent", Role.AGENT, "Asha", "Rao", "asha@example.com"),
    ("vikram", "exoadmin-agent", Role.AGENT, "Vikram", "Shah", "vikram@example.com"),
]
ACCOUNT_WIDE = "supervisor"
TEAM_LEADS = {"Sales": "sales-lead", "Support": "support-lead"}  # agents/demo.py makes the teams


def demo_account_create() -> ExotelAccount:
    return services.account_create_or_update(
        name="Demo (sandbox)",
        account_sid=DEMO_ACCOUNT["sid"],
        api_key=DEMO_ACCOUNT["api_key"],
        api_token=DEMO_ACCOUNT["api_token"],
        integrations_customer_id=DEMO_ACCOUNT["customer_id"],
        integrations_app_id=DEMO_ACCOUNT["app_id"],
        integrations_app_token=DEMO_ACCOUNT["app_token"],
        integrations_app_secret=DEMO_ACCOUNT["app_secret"],
        integrations_token_issued_at=timezone.now(),  # the sandbox's seeded token never expires
        exophones=DEMO_EXOPHONES,
    )


def demo_data_create() -> list[tuple[str, str, Role]]:
    """Idempotent; answers the logins so the run command can print them."""
    account = demo_account_create()
    for username, password, role, first, last, email in DEMO_LOGINS:
        user = services.user_create_or_update(
            username=username, password=password, role=role, first_name=first, last_name=last, email=email
        )
        if role != Role.ADMIN:
            account.members.add(user)
        if username == ACCOUNT_WIDE:
            account.account_wide.add(user)  # sees every team; the leads see their own team only
    return [(username, password, role) for username, password, role, *_ in DEMO_LOGINS]
