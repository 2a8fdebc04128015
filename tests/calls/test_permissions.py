"""Every calls page declares its roles and sends anonymous visitors to log in; the webhook alone
is open, guarded by its secret token."""

import uuid

import pytest
from django.urls import URLPattern, get_resolver

from calls import urls


def patterns() -> list[URLPattern]:
    return [p for p in urls.urlpatterns if p.name != "webhook"]


@pytest.mark.parametrize("pattern", patterns(), ids=lambda p: p.name)
def test_every_calls_view_is_for_signed_in_roles(pattern):
    assert {role.value for role in pattern.callback.allowed_roles} == {"agent", "supervisor", "admin"}


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


def test_only_the_webhook_is_csrf_exempt():
    resolver = get_resolver()
    exempt = [p.name for p in urls.urlpatterns if getattr(p.callback, "csrf_exempt", False)]
    assert exempt == ["webhook"] and resolver.resolve("/exotel/webhook/x/").url_name == "webhook"
