"""Demo agents for `make run`, the admin pages, the sync button and the beat schedule."""

import pytest
from django.conf import settings

from agents.models import Agent, AvailabilityEvent
from tests.support.processes import wait_until


def test_demo_seeder_creates_the_sandbox_agents_and_links_asha_and_vikram(db, sandbox):
    from agents.demo import demo_agents_create
    from exoadmin.accounts.demo import demo_data_create

    demo_data_create()

    summary = demo_agents_create()
    demo_agents_create()  # idempotent

    assert summary.startswith("Demo agents: 7")
    asha = Agent.objects.get(user__username="asha")
    assert asha.name == "Asha Rao" and asha.availability == "available"
    assert Agent.objects.get(user__username="vikram").devices.get(available=True).contact_uri == "sip:vikram.shah"
    assert Agent.objects.filter(device_model="integrations", phone_sip__isnull=False).count() == 3
    assert Agent.objects.count() == 7


def test_a_second_start_keeps_what_the_demo_changed(db, sandbox):
    from agents.demo import demo_agents_create
    from exoadmin.accounts.demo import demo_data_create

    demo_data_create()
    demo_agents_create()
    phone = Agent.objects.get(user__username="asha").devices.get(available=True)
    phone.available = phone.expected_available = False
    phone.save()

    demo_agents_create()

    phone.refresh_from_db()
    assert phone.available is False


def test_admin_lists_agents_devices_and_events_with_filters(client, admin_login, ccm_agent):
    client.login(username=admin_login.username, password=admin_login.password)

    for url in (
        "/admin/agents/agent/?has_drift__exact=0",
        "/admin/agents/device/?available__exact=1",
        "/admin/agents/availabilityevent/",
        "/admin/agents/autooffrule/add/",
        "/admin/agents/phonesip/",
    ):
        assert client.get(url).status_code == 200, url
    assert "Asha Rao" in client.get("/admin/agents/agent/?q=asha").content.decode()


def test_admin_turn_off_action_goes_through_the_rules_and_audit(client, admin_login, ccm_agent):
    client.login(username=admin_login.username, password=admin_login.password)
    phone = ccm_agent.devices.get(available=True)

    client.post("/admin/agents/device/", {"action": "turn_off", "_selected_action": [phone.pk]})

    phone.refresh_from_db()
    assert phone.available is False
    assert AvailabilityEvent.objects.get().actor == admin_login.user


@pytest.mark.django_db(transaction=True)
def test_sync_button_syncs_in_the_worker(celery_worker, client, board_supervisor, sandbox):
    from .conftest import sandbox_user

    sandbox_user(sandbox, first_name="Zara", last_name="Khan", email="zara@example.com")
    client.login(username=board_supervisor.username, password=board_supervisor.password)

    response = client.post("/agents/sync/", follow=True)

    assert "Sync from Exotel started for Acme" in response.content.decode()
    wait_until(lambda: Agent.objects.filter(name="Zara Khan").exists(), timeout=30, what="the worker's sync")


@pytest.mark.django_db(transaction=True)
def test_admin_sync_action_hands_the_sync_to_the_worker(celery_worker, client, admin_login, ccm_agent, sandbox):
    from .conftest import sandbox_user

    sandbox_user(sandbox, first_name="Zara", last_name="Khan", email="zara@example.com")
    client.login(username=admin_login.username, password=admin_login.password)

    response = client.post(
        "/admin/agents/agent/", {"action": "sync_from_exotel", "_selected_action": [ccm_agent.pk]}, follow=True
    )

    assert "Sync from Exotel started for Acme" in response.content.decode()
    wait_until(lambda: Agent.objects.filter(name="Zara Khan").exists(), timeout=30, what="the worker's sync")


def test_beat_runs_the_sync_and_the_end_of_shift_rules():
    from exoadmin.celery import app

    tasks = {entry["task"]: entry["schedule"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert tasks["agents.tasks.bulk_agents_sync_all"] <= 300
    assert tasks["agents.tasks.auto_off_rules_run_due"] == 60.0
    app.loader.import_default_modules()
    assert set(tasks) <= set(app.tasks), "a schedule naming no task would never run, silently"
