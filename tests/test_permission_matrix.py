"""Every URL of the product × every kind of visitor, generated from the URL conf.

A new view that is not in AUDIENCE fails `test_every_url_has_a_declared_audience`, so no view can
escape the matrix. Object ownership (another agent's things by id) is proved per app and in
`test_another_agents_objects_are_never_reachable_by_id` below.
"""

import uuid

import pytest
from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse

PUBLIC, ANY_ROLE, AGENT, SUPERVISOR, ADMIN = "public", "any role", "agents", "supervisors and admins", "admins"

AUDIENCE = {
    "login": PUBLIC,
    "logout": PUBLIC,
    "healthz": PUBLIC,
    "metrics": PUBLIC,  # protected by METRICS_TOKEN instead (tests/health/test_metrics.py)
    "calls:webhook": PUBLIC,  # protected by the secret token in its path instead
    "home": ANY_ROLE,
    "agents:mine": AGENT,
    "agents:my_device": AGENT,
    "agents:my_phone_sip": AGENT,
    "agents:my_unavailable": AGENT,
    **{
        f"agents:{name}": SUPERVISOR
        for name in (
            "board",
            "board_csv",
            "sync",
            "find_in_exotel",  # asking Exotel itself: admins and account-wide supervisors (tests/agents)
            "add_from_exotel",
            "end_of_shift_start",
            "end_of_shift",
            "detail",
            "device",
            "phone_sip",
            "unavailable",
            "drift",
            "rules",
            "rules_csv",
            "rule_add",
            "rule_edit",
            "rule_delete",
        )
    },
    **{f"teams:{name}": ADMIN for name in ("list", "add", "edit", "delete")},
    "live:stream": ANY_ROLE,  # each hears only what they may see (tests/live)
    # Agents see their own calls; supervisors those of their accounts (ownership tested in tests/calls).
    **{
        f"calls:{name}": ANY_ROLE
        for name in (
            "history",
            "totals",
            "export",
            "launch",
            "confirm",
            "live",
            "kpis",
            "waiting",
            "detail",
            "recording",
            "outcome",
        )
    },
    **{
        f"contacts:{name}": SUPERVISOR
        for name in (
            "list",
            "export",
            "sync",
            "edit_selected",
            "bulk_list",
            "bulk_upload",
            "bulk_detail",
            "bulk_confirm",
            "bulk_discard",
            "bulk_cancel",
            "bulk_retry",
            "bulk_failed_csv",
            "bulk_problems_csv",
        )
    },
    # Reports are for supervisors (scoped to their teams, tests/reports) and admins; an agent opens
    # only their own timeline.
    **{f"reports:{name}": SUPERVISOR for name in ("trends", "daily_email", "daily_email_send")},
    "reports:time_in_state": SUPERVISOR,
    "reports:time_in_state_csv": SUPERVISOR,
    "reports:agent_timeline": ANY_ROLE,
    # Onboarding people in bulk changes logins and roles: admins only.
    **{f"people:{name}": ADMIN for name in ("import", "export", "import_detail", "apply", "failures_csv")},
}
ALLOWED = {
    ANY_ROLE: {"agent", "supervisor", "admin"},
    AGENT: {"agent"},
    SUPERVISOR: {"supervisor", "admin"},
    ADMIN: {"admin"},
}
SAMPLE_KWARGS = {"int": 987654, "uuid": uuid.UUID(int=1), "string": "not-the-token"}


def product_urls(values: dict | None = None, samples: dict = SAMPLE_KWARGS):
    """(name, url) for every non-admin route: `values` by parameter name, else `samples` by type."""
    values = values or {}

    def walk(patterns, namespace):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name != "admin":
                    yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                converters = pattern.pattern.converters
                kwargs = {
                    key: values[key] if key in values else samples[_converter_name(conv)]
                    for key, conv in converters.items()
                }
                yield name, reverse(name, kwargs=kwargs)

    return sorted(set(walk(get_resolver().url_patterns, None)))


def _converter_name(converter) -> str:
    return type(converter).__name__.removesuffix("Converter").lower()


PRODUCT_URLS = product_urls()
GUARDED = [(name, url) for name, url in PRODUCT_URLS if AUDIENCE.get(name) not in (PUBLIC, None)]


def test_every_url_has_a_declared_audience():
    undeclared = [name for name, _ in PRODUCT_URLS if name not in AUDIENCE]
    assert not undeclared, f"Add these views to the permission matrix: {undeclared}"


@pytest.fixture
def visitors(client, admin_login, supervisor_login, agent_login):
    return {"admin": admin_login, "supervisor": supervisor_login, "agent": agent_login}


@pytest.mark.parametrize(("name", "url"), GUARDED)
def test_anonymous_visitors_are_sent_to_log_in(client, db, name, url):
    response = client.get(url)

    assert response.status_code == 302, name
    assert response["Location"].startswith("/login/?next="), name


@pytest.mark.parametrize(("name", "url"), GUARDED)
def test_each_role_reaches_exactly_its_views(client, visitors, name, url):
    allowed = ALLOWED[AUDIENCE[name]]
    for role, login in visitors.items():
        client.force_login(login.user)

        response = client.get(url)

        if role in allowed:
            assert response.status_code != 403 and not response.get("Location", "").startswith("/login/"), (
                f"{role} should reach {name}"
            )
        else:
            assert response.status_code == 403, f"{role} must not reach {name}"
            assert f"This page is for {AUDIENCE[name]}" in response.content.decode(), name


HUGE = "99999999999999999999"  # no database column holds it: SQLite raises OverflowError if it gets there


@pytest.mark.parametrize(("name", "url"), product_urls(samples=SAMPLE_KWARGS | {"int": int(HUGE)}))
def test_ids_too_large_for_any_table_are_refused_without_a_500(client, admin_login, exotel_account, name, url):
    client.force_login(admin_login.user)
    ids = dict.fromkeys(("agents", "account", "agent", "after", "rule", "device"), HUGE)

    responses = [client.get(url, ids), client.post(url, ids)]

    assert all(response.status_code != 500 for response in responses), (name, [r.status_code for r in responses])


def test_webhook_with_a_wrong_token_is_not_found(client, db):
    assert client.post(reverse("calls:webhook", kwargs={"token": "guess"}), {}).status_code == 404


def test_metrics_need_the_token_whoever_is_logged_in(client, visitors, settings):
    settings.METRICS_TOKEN = "scrape-token"
    for login in visitors.values():
        client.force_login(login.user)
        assert client.get(reverse("metrics")).status_code == 401


def test_admin_is_for_staff_only(client, supervisor_login, agent_login):
    for login in (supervisor_login, agent_login):
        client.force_login(login.user)
        response = client.get("/admin/")
        assert response.status_code == 302 and response["Location"].startswith("/admin/login/")


def test_every_admin_page_opens_for_admins(client, admin_login, exotel_account):
    client.force_login(admin_login.user)

    for model, model_admin in admin.site._registry.items():
        meta = model._meta
        changelist = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        assert changelist.status_code == 200, meta.label
        if model_admin.has_add_permission(type("R", (), {"user": admin_login.user})()):
            add = client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add"))
            assert add.status_code == 200, meta.label


@pytest.fixture
def ashas_things(exotel_account, agent_login, other_agent_login):
    """Asha's agent, device, availability event, and a recorded call; Vikram is an agent too."""
    from django.utils import timezone

    from agents.models import Agent, AvailabilityEvent, Device
    from calls.models import Call, State

    exotel_account.members.add(agent_login.user, other_agent_login.user)
    asha = Agent.objects.create(account=exotel_account, user=agent_login.user, name="Asha Rao", exotel_user_id="u-a")
    Agent.objects.create(account=exotel_account, user=other_agent_login.user, name="Vikram Shah", exotel_user_id="u-v")
    device = Device.objects.create(
        agent=asha,
        exotel_id="41",
        contact_uri="+919900000041",
        type="tel",
        available=True,
        verified=True,
        status="free",
    )
    AvailabilityEvent.objects.create(
        agent=asha, at=timezone.now(), source="agent", device=device.label, before="OFF", after="ON", outcome="applied"
    )
    call = Call.objects.create(
        account=exotel_account,
        agent=asha,
        customer_number="+919812345678",
        state=State.TERMINAL,
        status="completed",
        created_at=timezone.now(),
        recording_url="https://recordings.example/a.wav",
        has_recording=True,
    )
    return {"agent": asha, "device": device, "call": call}


def test_another_agents_objects_are_never_reachable_by_id(client, ashas_things, other_agent_login):
    client.force_login(other_agent_login.user)
    device, call = ashas_things["device"], ashas_things["call"]

    assert client.post(reverse("agents:my_device", args=[device.pk]), {"action": "off"}).status_code == 404
    assert client.get(reverse("calls:detail", args=[call.key])).status_code == 404
    assert client.get(reverse("calls:recording", args=[call.key])).status_code == 404
    assert "+919812345678" not in client.get(reverse("calls:history")).content.decode()
    assert "+919812345678" not in client.get(reverse("calls:export")).getvalue().decode()
    device.refresh_from_db()
    assert device.available is True


def test_a_supervisor_of_another_account_cannot_reach_its_agents_or_calls(client, ashas_things, supervisor_login):
    client.force_login(supervisor_login.user)  # a supervisor, but not a member of Acme
    agent, call = ashas_things["agent"], ashas_things["call"]

    assert client.get(reverse("agents:detail", args=[agent.pk])).status_code == 404
    assert client.get(reverse("calls:detail", args=[call.key])).status_code == 404
    assert client.get(reverse("calls:recording", args=[call.key])).status_code == 404
    assert "Asha Rao" not in client.get(reverse("agents:board")).content.decode()
