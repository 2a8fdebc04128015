"""Demo agents for `make run`: the sandbox's demo users and phone/SIP users, created from the
sandbox's constants, with asha and vikram linked to theirs, in two teams (Sales: asha's, Support:
vikram's), each led by its own supervisor. Existing agents and teams are left as they are,
so a second start never rewinds what the demo has changed since.

This runs before Redis, the sandbox and the worker start, so it does not sync: the worker syncs
every account as soon as it is up (agents.tasks), and beat every 3 minutes after that."""

from django.contrib.auth import get_user_model
from django.utils import timezone

from agents.audit import agent_state_refresh
from agents.models import Agent, Device, DeviceModel, DeviceStatus, DeviceType, PhoneSip
from exoadmin.accounts.demo import TEAM_LEADS
from exoadmin.accounts.models import ExotelAccount
from exoadmin.sandbox.demo import DEMO_ACCOUNT, DEMO_INTEGRATION_USERS, DEMO_USERS
from teams.models import Team

PHONE_SIP_NAMES = {"agent_001": "Priya Nair", "agent_002": "Arjun Mehta", "agent_003": "Kavya Reddy"}


def demo_agents_create() -> str:
    """Idempotent; answers one line for the run command to print."""
    account = ExotelAccount.objects.get(account_sid=DEMO_ACCOUNT["sid"])
    for user_id, name in PHONE_SIP_NAMES.items():
        Agent.objects.get_or_create(
            account=account,
            integrations_user_id=user_id,
            defaults={"name": name, "device_model": DeviceModel.INTEGRATIONS},
        )
    _from_constants(account)
    _link_demo_logins(account)
    _teams(account)
    count = Agent.objects.filter(account=account).count()
    return (
        f"Demo agents: {count} in two teams, Sales and Support "
        "(synced from the sandbox as soon as the worker starts, then every 3 minutes)."
    )


def _teams(account: ExotelAccount) -> None:
    """Sales (asha's) and Support (vikram's), the other agents split between them, each led by its own
    supervisor. Made once: a second start keeps whoever the demo has moved since."""
    agents = list(Agent.objects.filter(account=account).select_related("user").order_by("name", "pk"))
    first = {"Sales": "asha", "Support": "vikram"}
    for index, (name, lead) in enumerate(TEAM_LEADS.items()):
        team, created = Team.objects.get_or_create(account=account, name=name)
        if not created:
            continue
        members = [a for a in agents if a.user and a.user.username == first[name]]
        others = [a for a in agents if not (a.user and a.user.username in first.values())]
        members += others[index :: len(TEAM_LEADS)]
        team.agents.set(members)
        team.leads.set(get_user_model().objects.filter(username=lead))


def _from_constants(account: ExotelAccount) -> None:
    now = timezone.now()
    for user in DEMO_USERS:
        agent, _ = Agent.objects.get_or_create(
            account=account,
            exotel_user_id=user["id"],
            defaults={"name": f"{user['first_name']} {user['last_name']}", "email": user["email"]},
        )
        for device in user["devices"]:
            verified = device.get("verified", True)
            available = device.get("available", False) if verified else None
            Device.objects.get_or_create(
                agent=agent,
                exotel_id=str(device["id"]),
                defaults={
                    "name": device["name"],
                    "contact_uri": device["contact_uri"],
                    "type": DeviceType.SIP if device["contact_uri"].startswith("sip:") else DeviceType.TEL,
                    "available": available,
                    "verified": verified,
                    "status": device.get("status", DeviceStatus.FREE),
                    "expected_available": available,
                },
            )
        Agent.objects.filter(pk=agent.pk, state_since__isnull=True).update(state_since=now)
        agent_state_refresh(agent=agent)
    for row in DEMO_INTEGRATION_USERS:
        agent = Agent.objects.get(account=account, integrations_user_id=row["user_id"])
        PhoneSip.objects.get_or_create(
            agent=agent,
            defaults={
                "phone_enabled": row["phone"]["enabled"],
                "phone_number": row["phone"]["number"],
                "sip_enabled": row["sip"]["enabled"],
                "sip_username": row["sip"]["username"],
                "sip_registered": row["sip"]["registered"],
                "expected_phone_enabled": row["phone"]["enabled"],
                "expected_sip_enabled": row["sip"]["enabled"],
            },
        )
        agent_state_refresh(agent=agent)


def _link_demo_logins(account: ExotelAccount) -> None:
    for login in get_user_model().objects.filter(username__in=["asha", "vikram"]):
        agent = Agent.objects.filter(account=account, email__iexact=login.email).first()
        if agent and agent.user_id is None:
            Agent.objects.filter(user=login).exclude(pk=agent.pk).update(user=None)
            agent.user = login
            agent.save(update_fields=["user"])
