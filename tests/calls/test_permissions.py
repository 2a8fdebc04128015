"""Every calls page is for signed-in people with a role (each role's reach is the permission matrix's,
tests/test_permission_matrix.py) and sends anonymous visitors to log in; the webhook alone is
open, guarded by its secret token, and alone takes a POST without a CSRF token."""

import json
import uuid

import pytest
from django.contrib.auth.models import User
from django.test import Client
from django.urls import resolve, reverse

from calls import urls
from tests.calls.conftest import public_webhook_url

PAGES = [
    reverse(f"calls:{p.name}", kwargs={name: uuid.uuid4() for name in p.pattern.converters})
    for p in urls.urlpatterns
    if p.name != "webhook"
]


@pytest.mark.parametrize("path", PAGES)
def test_a_signed_in_person_without_a_role_is_refused(client, db, path):
    client.force_login(User.objects.create_user("nobody", password="pw-nobody-2026"))

    response = client.get(path)

    assert response.status_code == 403
    assert "This page is for agents, supervisors and admins" in response.content.decode()


@pytest.mark.parametrize(
    "path",
    [
        "/calls/",
        "/calls/export.csv",
        "/calls/new/",
        "/calls/live/",
        "/calls/kpis/",
        f"/calls/{uuid.uuid4()}/",
        f"/calls/{uuid.uuid4()}/recording/",
    ],
)
def test_anonymous_visitors_are_sent_to_log_in(client, db, path):
    response = client.get(path)

    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_only_the_webhook_takes_a_post_without_a_csrf_token(db, supervisor_login):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(supervisor_login.user)

    refused = {path: browser.post(path).status_code for path in PAGES}
    webhook = browser.post(public_webhook_url(), json.dumps({"not": "a callback"}), content_type="application/json")

    assert refused == dict.fromkeys(PAGES, 403)
    assert webhook.status_code == 400 and b"Not a status callback" in webhook.content
    assert resolve("/exotel/webhook/x/").url_name == "webhook"
