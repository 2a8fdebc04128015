"""The status-callback webhook under 4,000 generated deliveries: wrong types, missing keys, huge
strings, bad times, unknown events, JSON or form, GET or POST, wrong tokens, raw bytes.

Properties: never an answer ≥500; whatever is answered 200 is applied by the worker's drain (nothing
accepted is dropped); a finished call never moves back to active nor changes its final status.
"""

import json
from urllib.parse import urlencode

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from calls.inbox import FAILED, PENDING, PROCESSING, inbox_drain
from calls.models import Call, State
from calls.tracking import callback_receive
from exoadmin.redis import get_redis
from exoadmin.sandbox.callbacks import flatten

FINISHED_SID = "fuzz-finished-call"

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=40),
    st.text(alphabet="ab\u0000\u202e", min_size=2000, max_size=3000),
)
times = st.one_of(
    scalars,
    st.sampled_from(
        [
            "1970-01-01 05:30:00+05:30",
            "2026-11-23 10:00:00+05:30",
            "2026-13-45 99:99:99+99:99",
            "2026-11-23T10:00:00.000Z",
            "yesterday",
        ]
    ),
)
states = st.one_of(scalars, st.sampled_from(["active", "terminal"]))
statuses = st.one_of(
    scalars,
    st.sampled_from(
        ["completed", "from_leg_unanswered", "to_leg_unanswered", "agent_unanswered", "customer_no_dial", "ringing"]
    ),
)
sids = st.one_of(scalars, st.sampled_from([FINISHED_SID, "fuzz-unknown-1", "fuzz-unknown-2"]))
recordings = st.one_of(scalars, st.lists(st.fixed_dictionaries({"url": scalars}), max_size=2))
v3_details = st.fixed_dictionaries(
    {"sid": sids},
    optional={
        "state": states,
        "status": statuses,
        "start_time": times,
        "end_time": times,
        "updated_time": times,
        "total_talk_time": scalars,
        "total_duration": scalars,
        "recordings": recordings,
        "direction": scalars,
        "virtual_number": scalars,
        "legs": scalars,
    },
)
v2_details = st.fixed_dictionaries(
    {"call_sid": sids},
    optional={
        "call_state": states,
        "call_status": statuses,
        "created_time": times,
        "total_talk_time": scalars,
        "customer_details": st.one_of(scalars, st.fixed_dictionaries({"number": scalars})),
        "assigned_agent_details": st.one_of(scalars, st.fixed_dictionaries({"user_id": scalars})),
    },
)
events = st.one_of(
    scalars,
    st.fixed_dictionaries(
        {"event_type": st.one_of(scalars, st.sampled_from(["answered", "terminal", "ringing", "dial"]))}
    ),
)
callbacks = st.fixed_dictionaries(
    {}, optional={"event_details": events, "call_details": st.one_of(v3_details, v2_details, scalars)}
)
# Well-formed callbacks with fuzzed fields, so that many are accepted and must then be applied.
plausible = st.fixed_dictionaries(
    {
        "event_details": st.fixed_dictionaries({"event_type": st.sampled_from(["answered", "terminal"])}),
        "call_details": st.one_of(
            st.fixed_dictionaries(
                {
                    "sid": st.sampled_from([FINISHED_SID, "fuzz-unknown-1", "fuzz-unknown-2"]),
                    "state": st.sampled_from(["active", "terminal"]),
                },
                optional={
                    "status": statuses,
                    "end_time": times,
                    "start_time": times,
                    "total_talk_time": scalars,
                    "recordings": recordings,
                },
            ),
            st.fixed_dictionaries(
                {
                    "call_sid": st.sampled_from([FINISHED_SID, "fuzz-unknown-3"]),
                    "call_state": st.sampled_from(["active", "terminal"]),
                },
                optional={"call_status": statuses, "total_talk_time": scalars},
            ),
        ),
    }
)
any_json = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=8,
)
deliveries = st.tuples(
    st.sampled_from(["json", "form", "get", "bytes"]),
    st.one_of(plausible, plausible, callbacks, any_json),
    st.binary(max_size=200),
    st.sampled_from(["right", "right", "right", "wrong"]),
)


def deliver(client: Client, how: str, payload, raw: bytes, token: str):
    url = f"/exotel/webhook/{token}/"
    if how == "json":
        return client.post(url, data=json.dumps(payload), content_type="application/json")
    if how == "bytes":
        return client.post(url, data=raw, content_type="application/json")
    pairs = flatten(payload) if isinstance(payload, dict) else [("payload", str(payload))]
    if how == "get":
        return client.get(f"{url}?{urlencode(pairs)}")
    return client.post(url, data=urlencode(pairs), content_type="application/x-www-form-urlencoded")


@pytest.fixture
def finished_call(exotel_account):
    redis = get_redis()
    redis.delete(PENDING, PROCESSING, FAILED)
    return Call.objects.create(
        account=exotel_account,
        sid=FINISHED_SID,
        state=State.TERMINAL,
        status="completed",
        created_at=timezone.now(),
        talk_time=42,
    )


def test_four_thousand_generated_callbacks_never_break_the_webhook_or_a_finished_call(finished_call) -> None:
    client = Client()
    answers: dict[int, int] = {}

    @hypothesis_settings(
        max_examples=4_000,  # 10,000 took over a minute of the 15 the whole suite may take
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )
    @given(deliveries)
    def webhook_answers_below_500(delivery):
        how, payload, raw, token_kind = delivery
        token = settings.EXOTEL_WEBHOOK_TOKEN if token_kind == "right" else "guess"
        status = deliver(client, how, payload, raw, token).status_code
        answers[status] = answers.get(status, 0) + 1
        assert status < 500
        assert token_kind == "right" or status == 404

    webhook_answers_below_500()

    inbox_drain(lambda payload, ref: callback_receive(payload=payload, ref=ref), limit=20_000)
    redis = get_redis()
    assert answers.get(200, 0) > 500 and answers.get(400, 0) > 500, answers
    assert redis.llen(PENDING) == redis.llen(PROCESSING) == 0  # every accepted callback was applied...
    assert redis.llen(FAILED) == 0, redis.lrange(FAILED, 0, 2)  # ...and none failed to apply
    finished_call.refresh_from_db()
    assert (finished_call.state, finished_call.status, finished_call.talk_time) == (State.TERMINAL, "completed", 42)
