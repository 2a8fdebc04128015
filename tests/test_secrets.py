"""Secrets never leave the server: after real activity (a call launched, called back, refused), no
page a person can open — product or admin, any role — and no log line of the web process or the
worker contains the API token, the integrations app token or the webhook token."""

import logging

import pytest
from django.contrib import admin
from django.test import Client
from django.urls import reverse

from calls.models import Call
from tests.calls.conftest import asha, callbacks_to, fast_calls, supervisor, use_api, vikram, wait_for_call  # noqa: F401
from tests.calls.test_launch import confirm_token, launch_form, logged_in
from tests.test_permission_matrix import product_urls

pytestmark = pytest.mark.django_db(transaction=True)

WEBHOOK_TOKEN = "whk-S3CRET-4c1d2e9f7a"
SECRETS = ("acme-token-s3cret", "acme-app-token-s3cret", WEBHOOK_TOKEN)


@pytest.fixture
def activity(settings, sandbox, asha, vikram, supervisor, fast_calls, callbacks_to, celery_worker):
    """A completed v3 call, a refused launch and a refused device change, all against the sandbox."""
    settings.EXOTEL_WEBHOOK_TOKEN = WEBHOOK_TOKEN
    use_api(asha.account, "v3")
    client = logged_in(supervisor)
    client.post("/calls/confirm/", {"token": confirm_token(launch_form(client, asha))})
    call = wait_for_call(lambda c: c.is_terminal and c.legs_fetched_at, "the call to end with its legs")
    sandbox.control("PATCH", f"/_sandbox/devices/{vikram.sandbox_user['devices'][0]['id']}", {"available": False})
    launch_form(client, vikram)  # refused by the pre-flight with Exotel's data
    return call


def pages_for(call: Call, agent_id: int) -> list[str]:
    urls = product_urls({"key": call.key, "agent_id": agent_id})
    return [url for name, url in urls if name != "calls:webhook"]


def admin_pages(call: Call) -> list[str]:
    urls = []
    for model in admin.site._registry:
        meta = model._meta
        urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist"))
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk]))
    return urls


def test_no_page_and_no_log_line_shows_a_secret(
    activity, caplog, celery_worker, admin_login, supervisor, agent_login, asha
):
    caplog.set_level(logging.DEBUG)
    shown = []
    for login in (admin_login, supervisor, agent_login):
        client = Client()
        client.force_login(login.user)
        for url in pages_for(activity, asha.pk) + (admin_pages(activity) if login is admin_login else []):
            response = client.get(url, HTTP_ACCEPT="text/html")
            body = response.getvalue() if response.streaming else response.content
            shown.append((f"{login.username} {url}", body.decode(errors="replace") + str(response.headers)))

    assert len(shown) > 60
    for where, text in shown:
        for secret in SECRETS:
            assert secret not in text, f"{secret!r} shown on {where}"
    logs = caplog.text + "\n".join(r.getMessage() + str(vars(r)) for r in caplog.records)
    logs += celery_worker.log_path.read_text(errors="replace")
    assert "exotel" in logs.lower()  # the logs did see the Exotel traffic
    for secret in SECRETS:
        assert secret not in logs, f"{secret!r} is in the logs"
