"""Each documented launch error (seeds 002, 004) gives its own message, with Exotel's request id."""

import uuid

import pytest
from django.contrib.auth.models import User

from calls.launching import LaunchRequest, call_launch
from tests.calls.conftest import CUSTOMER, EXOPHONE

pytestmark = pytest.mark.django_db(transaction=True)


def launch(agent, api_version="v3", exophone=EXOPHONE, **options):
    request = LaunchRequest(
        key=str(uuid.uuid4()),
        account_id=agent.account_id,
        agent_id=agent.pk,
        customer_number=CUSTOMER,
        exophone=exophone,
        api_version=api_version,
        options=options,
    )
    return call_launch(launch=request, user=User.objects.get(username="sunil"))


def device(sandbox, agent, **change):
    sandbox.control("PATCH", f"/_sandbox/devices/{agent.sandbox_user['devices'][0]['id']}", change)


CASES = [
    ("device OFF", lambda s, a: device(s, a, available=False), {}, 1012, "The agent's device is OFF"),
    ("unverified", lambda s, a: device(s, a, verified=False), {}, 10705, "is not verified yet"),
    ("busy", lambda s, a: device(s, a, status="busy"), {}, 10706, "busy on another call"),
    ("unknown ExoPhone", None, {"exophone": "+918030752499"}, 10716, "This ExoPhone is not in the Exotel account"),
    ("bad recording channels", None, {"record": True, "recording_channels": "triple"}, 1002, "Exotel rejected a value"),
]


@pytest.mark.parametrize("api_version", ["v3", "v2"])
@pytest.mark.parametrize("name,change,options,code,message", CASES, ids=[c[0] for c in CASES])
def test_documented_launch_error_is_shown_with_its_message(
    sandbox, asha, supervisor, api_version, name, change, options, code, message
):
    if change:
        change(sandbox, asha)
    options = dict(options)
    exophone = options.pop("exophone", EXOPHONE)
    identity = {"from_contact_uri": "+919900000001"} if api_version == "v3" else {"user_id": asha.exotel_user_id}

    call = launch(asha, api_version, exophone=exophone, **identity, **options)

    assert (call.launch_outcome, call.launch_error_code) == ("refused", code)
    assert message in call.launch_error
    assert call.launch_request_id
    assert call.events.get(kind="refused").request_id == call.launch_request_id


def test_unknown_agent_user_in_v2(sandbox, asha, supervisor):
    call = launch(asha, "v2", user_id="no-such-user")

    assert (call.launch_error_code, call.launch_error) == (
        10731,
        "This agent is not a user in the Exotel account: add them in Exotel first",
    )


def test_wrong_api_token(sandbox, asha, supervisor, exotel_account):
    exotel_account.api_token = "wrong"
    exotel_account.save()

    call = launch(asha, "v3", from_contact_uri="+919900000001")

    assert call.launch_error_code == 1010 and "rejected the API key/token" in call.launch_error
