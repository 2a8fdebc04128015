from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from exoadmin.accounts.clients import rate_budget
from exoadmin.health.models import WorkerHeartbeat
from exoadmin.health.services import heartbeat_record


@pytest.fixture(autouse=True)
def fresh_probe_cache():
    cache.clear()


def checks_by_name(response) -> dict:
    return {check["name"]: check for check in response.json()["checks"]}


def test_all_green_when_every_part_works(client, exotel_account, supervisor_login):
    heartbeat_record()
    client.login(username=supervisor_login.username, password=supervisor_login.password)

    response = client.get("/healthz?format=json")

    assert response.status_code == 200, response.json()
    checks = checks_by_name(response)
    assert set(checks) == {
        "database",
        "redis",
        "celery worker",
        "email",
        "exotel: Acme",
        "integrations app token: Acme",
        "configuration",
    }
    assert checks["integrations app token: Acme"]["warning"]  # pasted with no issue date: expiry unknown
    assert checks["exotel: Acme"]["latency_ms"] > 0
    assert response.json()["healthy"] is True


def test_a_stale_worker_heartbeat_turns_the_page_red(client, exotel_account):
    WorkerHeartbeat.objects.create(hostname="old", seen_at=timezone.now() - timedelta(minutes=10))

    response = client.get("/healthz?format=json")

    assert response.status_code == 503
    assert checks_by_name(response)["celery worker"]["ok"] is False


def test_rejected_exotel_credentials_are_explained_to_people(client, exotel_account, admin_login):
    heartbeat_record()
    exotel_account.api_token = "wrong"
    exotel_account.save()
    client.login(username=admin_login.username, password=admin_login.password)

    response = client.get("/healthz", HTTP_ACCEPT="text/html")

    assert response.status_code == 503
    row = response.content.decode().split('data-check="exotel: Acme"')[1].split("</tr>")[0]
    assert "Failing" in row and "API key" in row


def test_missing_configuration_is_listed(client, db):
    heartbeat_record()

    response = client.get("/healthz?format=json")

    assert checks_by_name(response)["configuration"]["ok"] is False


def test_anonymous_callers_get_states_but_not_details(client, exotel_account):
    response = client.get("/healthz?format=json")

    assert all("detail" not in check for check in response.json()["checks"])


def test_exotel_probe_is_shared_between_callers(client, exotel_account, sandbox):
    heartbeat_record()
    client.get("/healthz?format=json")
    client.get("/healthz?format=json")

    assert len(sandbox.requests(path="/users", method="GET")) == 1


def test_details_say_how_much_of_the_exotel_rate_budget_is_in_use(client, exotel_account, sandbox, supervisor_login):
    heartbeat_record()
    client.login(username=supervisor_login.username, password=supervisor_login.password)
    used_before = rate_budget().usage("acme").used  # earlier tests' requests may still count
    client.get("/healthz?format=json")  # the probe spends one request

    response = client.get("/healthz?format=json")

    detail = checks_by_name(response)["exotel: Acme"]["detail"]
    assert f"{used_before + 1} of 200 requests used in the last 60 s" in detail
