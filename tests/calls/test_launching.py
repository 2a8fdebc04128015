"""The launching service's rules: the confirm step (a fresh device check, the same form twice, who
may launch, what the person is told) and how a v2 launch names the agent."""

import uuid
from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.contrib import messages
from django.contrib.auth.models import User
from django.utils import timezone

from agents.models import Agent, DeviceModel
from calls.forms import LaunchForm
from calls.launching import (
    PREFLIGHT_MAX_AGE,
    AgentIdentity,
    LaunchForbidden,
    LaunchRequest,
    launch_confirm,
    launch_overrides,
)
from calls.launching import launch_options as options_for
from calls.models import ApiVersion, Call, CallSettings, LaunchOutcome
from tests.calls.conftest import CUSTOMER, EXOPHONE, launches
from tests.support.processes import wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def pending(agent, checked_at=None) -> LaunchRequest:
    """A launch as the confirm form carries it, its device checked at `checked_at` (default: now)."""
    return LaunchRequest(
        key=str(uuid.uuid4()),
        account_id=agent.account_id,
        agent_id=agent.pk,
        customer_number=CUSTOMER,
        exophone=EXOPHONE,
        api_version=ApiVersion.V3,
        options={"from_contact_uri": "+919900000001"},
        preflight={
            "ok": True,
            "rings_first": "Phone +919900000001",
            "checked_at": (checked_at or timezone.now()).isoformat(),
        },
    )


def sunil() -> User:
    return User.objects.get(username="sunil")


def test_a_device_check_up_to_two_minutes_old_dials_and_an_older_one_dials_nothing(sandbox, asha, supervisor):
    now = timezone.now()

    stale = launch_confirm(launch=pending(asha, now - PREFLIGHT_MAX_AGE - timedelta(seconds=1)), user=sunil(), now=now)

    assert stale.call is None and stale.level == messages.ERROR
    assert stale.message == "The device check is more than two minutes old: check again before dialling."
    assert not Call.objects.exists() and launches(sandbox) == []

    fresh = launch_confirm(launch=pending(asha, now - PREFLIGHT_MAX_AGE), user=sunil(), now=now)

    assert fresh.call is not None and len(launches(sandbox)) == 1


def test_the_same_confirm_twice_shows_the_first_call_and_says_nothing_more_even_when_stale(sandbox, asha, supervisor):
    launch = pending(asha)

    first = launch_confirm(launch=launch, user=sunil())
    again = launch_confirm(launch=launch, user=sunil(), now=timezone.now() + timedelta(hours=1))

    assert (first.level, first.message) == (
        messages.SUCCESS,
        "Exotel accepted the call: the agent's device is ringing.",
    )
    assert again.call == first.call and again.message == ""
    assert len(launches(sandbox)) == 1


def test_a_person_who_may_no_longer_launch_for_the_agent_is_refused(sandbox, asha, supervisor, exotel_account):
    exotel_account.members.remove(supervisor.user)

    with pytest.raises(LaunchForbidden):
        launch_confirm(launch=pending(asha), user=sunil())

    assert not Call.objects.exists() and launches(sandbox) == []


def test_a_refusal_by_exotel_is_told_with_its_request_id(sandbox, asha, supervisor):
    sandbox.control("PATCH", f"/_sandbox/devices/{asha.sandbox_user['devices'][0]['id']}", {"available": False})

    refused = launch_confirm(launch=pending(asha), user=sunil())

    call = refused.call
    assert call.launch_outcome == LaunchOutcome.REFUSED and call.launch_request_id
    assert refused.level == messages.ERROR
    assert refused.message == (
        "Exotel did not place the call: The agent's device is OFF: turn it ON first "
        f"(Exotel request id {call.launch_request_id})"
    )


def test_no_answer_from_exotel_is_told_as_a_warning_and_the_call_is_looked_for(
    sandbox, asha, supervisor, settings, monkeypatch
):
    settings.EXOTEL_READ_TIMEOUT = 0.5
    sandbox.configure(faults={"slow": 1.0, "slow_seconds": 1.5})
    queued = []
    # The search itself is test_callback_delivery's; here, only that it is asked for.
    monkeypatch.setattr("calls.tasks.reconcile_call", SimpleNamespace(apply_async=lambda **task: queued.append(task)))

    unknown = launch_confirm(launch=pending(asha), user=sunil())

    sandbox.configure(faults={"slow": 0.0})
    wait_until(lambda: launches(sandbox), timeout=10, what="the sandbox to take the slow launch")  # then reset

    assert unknown.call.launch_outcome == LaunchOutcome.UNKNOWN and unknown.level == messages.WARNING
    assert unknown.message.startswith("Exotel did not answer in time. The call was not sent again;")
    assert queued == [{"args": (unknown.call.pk,), "countdown": 5}]


def parsed(agent, **choices) -> dict:
    """What the launch form parses for `agent`, as the launching service receives it."""
    form = LaunchForm(
        {"agent": agent.pk, "customer_number": CUSTOMER, "exophone": EXOPHONE, **choices},
        agents=Agent.objects.filter(pk=agent.pk),
    )
    assert form.is_valid(), form.errors
    return form.cleaned_data


def test_v2_names_the_agent_by_user_id_unless_the_device_contact_uri_is_chosen(asha):
    def identity(**choices):
        options = options_for(
            settings=CallSettings(api_version=ApiVersion.V2), agent=asha, chosen=parsed(asha, **choices), rings="+9199"
        )
        return {key: value for key, value in options.items() if key in ("user_id", "user_contact_uri")}

    assert identity() == {"user_id": asha.exotel_user_id}
    assert identity(agent_identity=AgentIdentity.USER_ID) == {"user_id": asha.exotel_user_id}
    assert identity(agent_identity=AgentIdentity.CONTACT_URI) == {"user_contact_uri": "+9199"}
    assert identity(agent_identity=AgentIdentity.CONTACT_URI, from_contact_uri="sip:asha") == {
        "user_contact_uri": "sip:asha"
    }


def test_an_agent_exotel_knows_by_no_user_id_is_named_by_the_device_that_rings(exotel_account):
    priya = Agent.objects.create(
        account=exotel_account, name="Priya Nair", device_model=DeviceModel.INTEGRATIONS, integrations_user_id="ps-1"
    )

    options = options_for(
        settings=CallSettings(api_version=ApiVersion.V2),
        agent=priya,
        chosen=parsed(priya, agent_identity=AgentIdentity.USER_ID),
        rings="+919900000009",
    )

    assert options == {"user_contact_uri": "+919900000009"}


def test_the_accounts_defaults_are_sent_unless_the_launch_overrides_them(asha):
    settings = CallSettings(records_by_default=True, max_time_limit=3600, recording_channels="dual")

    chosen = parsed(asha, record="off", max_time_limit=600)
    options = options_for(settings=settings, agent=asha, chosen=chosen, rings="+9199")

    assert (options["record"], options["max_time_limit"], options["recording_channels"]) == (False, 600, "dual")
    assert launch_overrides(settings, chosen) == [
        "Recording off (the account records every call)",
        "Maximum call length (s): 600 (the account's default: 3600)",
    ]
    assert "record" not in options_for(settings=settings, agent=asha, chosen=parsed(asha), rings="+9199")


def test_several_playbacks_are_sent_in_order_with_documented_choices_only(asha):
    chosen = parsed(
        asha,
        playback_1_value="https://audio.example/a.wav",
        playback_2_value="",
        playback_2_to="both",  # a row without audio is no playback
        playback_3_value="https://audio.example/c.wav",
    )

    assert options_for(settings=CallSettings(), agent=asha, chosen=chosen, rings="+9199")["playback"] == [
        {"event": "start", "to": "both", "value": "https://audio.example/a.wav"},
        {"event": "start", "to": "both", "value": "https://audio.example/c.wav"},
    ]
    form = LaunchForm(
        {
            "agent": asha.pk,
            "customer_number": CUSTOMER,
            "exophone": EXOPHONE,
            "playback_1_event": "hangup",
            "playback_1_to": "from",
        },
        agents=Agent.objects.filter(pk=asha.pk),
    )
    assert form.errors["playback_1_event"] == ["“hangup” is not one Exotel documents for playback: pick from the list."]
    assert form.errors["playback_1_to"] == ["“from” is not one Exotel documents for playback: pick from the list."]


def test_a_sip_customer_is_dialled_with_v3_and_refused_in_words_with_v2(asha, exotel_account):
    assert parsed(asha, customer_number="sip:kiran@example.com")["customer_number"] == "sip:kiran@example.com"

    def errors(number):
        form = LaunchForm(
            {"agent": asha.pk, "customer_number": number, "exophone": EXOPHONE}, agents=Agent.objects.filter(pk=asha.pk)
        )
        return form.errors.get("customer_number")

    assert errors("sip:kiran @example") == [
        "“sip:kiran @example” is not a SIP address we can dial, e.g. sip:asha@example.com."
    ]
    CallSettings.objects.create(account=exotel_account, api_version=ApiVersion.V2)
    assert errors("sip:kiran@example.com") == [
        "Acme places calls with call API v2, which dials numbers only: give the customer's number."
    ]


def test_state_management_follows_the_account_unless_the_launch_says(asha):
    settings = CallSettings(state_management=True)

    def sent(**choices):
        chosen = parsed(asha, **choices)
        return options_for(settings=settings, agent=asha, chosen=chosen, rings="+9199")["state_management"], chosen

    assert sent()[0] is True
    off, chosen = sent(state_management="false")
    assert off is False
    assert launch_overrides(settings, chosen) == ["State management off (the account's default: on)"]
