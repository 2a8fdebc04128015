"""Calls fixtures: agents that exist both in the sandbox and in the product, and a product that
Exotel (the sandbox) can call back."""

import threading
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from django.conf import settings
from django.utils import timezone

from agents.models import Agent, DeviceModel
from calls.models import Call, CallSettings, LaunchOutcome, State
from tests.support.processes import wait_until

EXOPHONE = "+918030752400"
CUSTOMER = "+919876543210"  # ends in 0: answered and completed in the sandbox


@pytest.fixture
def fast_calls(sandbox):
    sandbox.configure(
        ring_seconds=0.2, talk_seconds=0.3, callbacks={"delay": 0, "duplicate": 0, "reorder": 0, "loss": 0}
    )


@pytest.fixture
def callbacks_to(settings, live_server):
    """Status callbacks go to this test's live server."""
    settings.EXOADMIN_PUBLIC_URL = live_server.url
    return live_server


def sandbox_agent(sandbox, *, first_name, available=True, verified=True, status="free", contact_uri="+919900000001"):
    user = sandbox.control(
        "POST",
        "/_sandbox/users",
        {
            "account_sid": "acme",
            "first_name": first_name,
            "last_name": "Test",
            "devices": [
                {
                    "name": "Mobile",
                    "contact_uri": contact_uri,
                    "type": "tel",
                    "available": available,
                    "verified": verified,
                    "status": status,
                }
            ],
        },
    )
    return user


@pytest.fixture
def asha(exotel_account, sandbox, agent_login):
    """Asha: a CCM agent whose phone is ON, verified and free; her login is agent_login."""
    user = sandbox_agent(sandbox, first_name="Asha")
    exotel_account.members.add(agent_login.user)
    agent = Agent.objects.create(
        account=exotel_account,
        user=agent_login.user,
        name="Asha Rao",
        device_model=DeviceModel.CCM,
        exotel_user_id=user["id"],
    )
    agent.sandbox_user = user
    return agent


@pytest.fixture
def vikram(exotel_account, sandbox, other_agent_login):
    user = sandbox_agent(sandbox, first_name="Vikram", contact_uri="+919900000002")
    exotel_account.members.add(other_agent_login.user)
    agent = Agent.objects.create(
        account=exotel_account,
        user=other_agent_login.user,
        name="Vikram Shah",
        device_model=DeviceModel.CCM,
        exotel_user_id=user["id"],
    )
    agent.sandbox_user = user
    return agent


@pytest.fixture
def supervisor(supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    return supervisor_login


def use_api(account, version):
    CallSettings.objects.update_or_create(account=account, defaults={"api_version": version})


def make_call(account, agent=None, minutes_ago=0, **fields) -> Call:
    """A finished call as history shows it (no Exotel involved)."""
    defaults = dict(
        account=account,
        agent=agent,
        customer_number=CUSTOMER,
        exophone=EXOPHONE,
        state=State.TERMINAL,
        status="completed",
        launch_outcome=LaunchOutcome.ACCEPTED,
        created_at=timezone.now() - timedelta(minutes=minutes_ago),
        talk_time=30,
    )
    return Call.objects.create(**(defaults | fields))


def wait_for_call(predicate, what, timeout=20):
    def check():
        call = Call.objects.order_by("-id").first()
        return call if call and predicate(call) else None

    return wait_until(check, timeout=timeout, what=what)


def launches(sandbox, version="v3"):
    """The launch POSTs the sandbox received."""
    return list(sandbox.requests(path=f"/{version}/accounts/acme/calls", method="POST"))


def public_webhook_url():
    return f"/exotel/webhook/{settings.EXOTEL_WEBHOOK_TOKEN}/"


class HitRecorder:
    """A tiny local HTTP server that notes every connection made to it (the proof that nothing was
    fetched from it) and the headers of every request, and answers a short WAV, or a redirect to
    `redirect_to`."""

    def __init__(self, redirect_to: str = ""):
        self.connections = 0
        self.headers: list[dict[str, str]] = []
        self.redirect_to = redirect_to
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def setup(self):
                recorder.connections += 1
                super().setup()

            def do_GET(self):
                recorder.headers.append(dict(self.headers))
                if recorder.redirect_to:
                    self.send_response(302)
                    self.send_header("Location", recorder.redirect_to)
                    self.send_header("Content-Length", "0")
                else:
                    self.send_response(200)
                    self.send_header("Content-Type", "audio/wav")
                    self.send_header("Content-Length", "4")
                self.end_headers()
                if not recorder.redirect_to:
                    self.wfile.write(b"RIFF")

            def log_message(self, *args):
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._server.server_port
        self.url = f"http://127.0.0.1:{self.port}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self):
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def hit_recorder():
    """Starts HitRecorders (`hit_recorder(redirect_to=...)`), stopped after the test."""
    started = []

    def start(redirect_to: str = "") -> HitRecorder:
        started.append(HitRecorder(redirect_to))
        return started[-1]

    yield start
    for recorder in started:
        recorder.stop()


def ended_recorded_call(sandbox, exotel_account, asha, supervisor, *, while_ringing=None, ring_seconds=0.2) -> Call:
    """Asha's answered, recorded v3 call, ended in the sandbox and read back from its call details
    (callbacks are lost on purpose); `while_ringing(call)` runs before it ends."""
    import uuid

    from django.contrib.auth.models import User

    from calls.launching import LaunchRequest, call_launch
    from calls.tracking import call_refresh

    sandbox.configure(ring_seconds=ring_seconds, talk_seconds=0.3, callbacks={"loss": 1.0})
    launch = LaunchRequest(
        key=str(uuid.uuid4()),
        account_id=exotel_account.pk,
        agent_id=asha.pk,
        customer_number=CUSTOMER,
        exophone=EXOPHONE,
        api_version="v3",
        options={"from_contact_uri": "+919900000001", "record": True},
    )
    call = call_launch(launch=launch, user=User.objects.get(username=supervisor.username))
    if while_ringing:
        while_ringing(call)
    wait_until(
        lambda: sandbox.control("GET", f"/_sandbox/calls/{call.sid}")["call_details"]["state"] == "terminal",
        timeout=10,
        what="the sandbox to end the call",
    )
    return call_refresh(call_id=call.pk, priority="interactive")
