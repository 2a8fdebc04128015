"""One set of words for what happened to a call: history's rows and its status filter, the call
page, live calls and the CSV export all say the same."""

import csv
import html
import io
import re

import pytest
from django.utils import timezone

from calls.models import Call, CallStatus, HistoryStatus, LaunchOutcome, Progress, State
from calls.selectors import STATUS_FILTERS
from tests.calls.conftest import make_call


def text(response) -> str:
    return html.unescape(response.content.decode())


def csv_words(client) -> list[str]:
    rows = list(csv.reader(io.StringIO(b"".join(client.get("/calls/export.csv").streaming_content).decode())))
    return [row[rows[0].index("status_words")] for row in rows[1:]]


def filter_for(call) -> HistoryStatus:
    (status,) = [status for status, query in STATUS_FILTERS.items() if Call.objects.filter(query, pk=call.pk).exists()]
    return HistoryStatus(status)


def assert_reads_the_same_everywhere(client, call, words):
    chosen = filter_for(call)

    history = text(client.get("/calls/", {"status": chosen}))
    page = text(client.get(f"/calls/{call.key}/"))
    live = text(client.get("/calls/live/", HTTP_HX_REQUEST="true"))

    pill = re.compile(f'data-testid="call-status"[^>]*>{re.escape(words)}</span>')
    assert f">{words}</span>" in history and pill.search(page)
    assert f"Status: {chosen.label}" in history
    assert csv_words(client) == [words]
    assert (f">{words}</span>" in live) == call.is_live
    if chosen == HistoryStatus.NOT_DIALLED:  # one filter for either leg
        assert words.endswith("could not be dialled") and chosen.label.startswith("Could not be dialled")
    else:
        assert words.lower() in chosen.label.lower()


@pytest.mark.parametrize("status", CallStatus.values)
def test_each_exotel_status_reads_the_same_everywhere(client, supervisor, exotel_account, status):
    call = make_call(exotel_account, status=status)
    client.login(username=supervisor.username, password=supervisor.password)

    assert_reads_the_same_everywhere(client, call, CallStatus(status).label)


@pytest.mark.parametrize(
    "fields, words",
    [
        (dict(state=State.ACTIVE, status=""), Progress.RINGING.label),
        (dict(state=State.ACTIVE, status="", answered_at=timezone.now()), Progress.IN_CONVERSATION.label),
        (dict(state=State.ACTIVE, status="", launch_outcome=LaunchOutcome.UNKNOWN), Progress.UNKNOWN.label),
        (dict(status="", launch_outcome=LaunchOutcome.REFUSED), Progress.NOT_PLACED.label),
    ],
    ids=["ringing", "in conversation", "outcome unknown", "not placed"],
)
def test_a_call_without_an_exotel_status_reads_the_same_everywhere(client, supervisor, exotel_account, fields, words):
    call = make_call(exotel_account, **fields)
    client.login(username=supervisor.username, password=supervisor.password)

    assert_reads_the_same_everywhere(client, call, words)
