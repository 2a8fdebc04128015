"""Call history: who sees what, filters as chips, keyset pages, constant queries, CSV export."""

import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.models import State
from tests.calls.conftest import make_call


@pytest.fixture
def calls(exotel_account, asha, vikram):
    mine = [make_call(exotel_account, asha, minutes_ago=i, customer_number=f"+9198765432{i:02d}") for i in range(3)]
    theirs = [
        make_call(
            exotel_account,
            vikram,
            minutes_ago=10,
            customer_number="+919811111111",
            status="to_leg_unanswered",
            talk_time=None,
        )
    ]
    return mine, theirs


def test_agent_sees_only_their_own_calls(client, agent_login, calls):
    client.login(username=agent_login.username, password=agent_login.password)

    page = client.get("/calls/").content.decode()

    assert "+919876543200" in page and "+919811111111" not in page
    assert client.get(f"/calls/{calls[1][0].key}/").status_code == 404


def test_supervisor_sees_calls_of_their_accounts_only(client, supervisor, calls, exotel_account):
    from exoadmin.accounts.services import account_create_or_update

    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    outsider = make_call(elsewhere, customer_number="+919822222222")
    client.login(username=supervisor.username, password=supervisor.password)

    page = client.get("/calls/").content.decode()

    assert "+919811111111" in page and "+919822222222" not in page
    assert client.get(f"/calls/{outsider.key}/").status_code == 404


def test_filters_show_as_removable_chips(client, supervisor, calls, vikram):
    client.login(username=supervisor.username, password=supervisor.password)

    page = client.get("/calls/", {"agent": vikram.pk, "status": "customer_unanswered"}).content.decode()

    assert "+919811111111" in page and "+919876543200" not in page
    assert "Agent: Vikram Shah" in page and "Status: Customer did not answer" in page
    assert f'href="?agent={vikram.pk}"' in page  # removing the status chip keeps the agent


def test_number_search_and_recording_filter(client, supervisor, calls, exotel_account):
    make_call(exotel_account, customer_number="+919833333333", has_recording=True, recording_url="https://x/y.mp3")
    client.login(username=supervisor.username, password=supervisor.password)

    by_digits = client.get("/calls/", {"number": "3333"}).content.decode()
    recorded = client.get("/calls/", {"recording": "yes"}).content.decode()

    assert "+919833333333" in by_digits and "+919811111111" not in by_digits
    assert "+919833333333" in recorded and "+919876543200" not in recorded


def test_keyset_pages_walk_every_call_once(client, supervisor, exotel_account):
    made = {make_call(exotel_account, minutes_ago=i // 3).pk for i in range(120)}  # equal times across pages
    client.login(username=supervisor.username, password=supervisor.password)
    seen, url = [], "/calls/"
    while url:
        response = client.get(url)
        page = response.context["page"]
        seen += [call.pk for call in page.calls]
        url = f"/calls/?cursor={page.next_cursor}" if page.next_cursor else None

    assert len(seen) == len(made) and set(seen) == made


def test_page_query_count_does_not_grow_with_rows(client, supervisor, exotel_account, asha):
    client.login(username=supervisor.username, password=supervisor.password)
    make_call(exotel_account, asha)
    client.get("/calls/")
    with CaptureQueriesContext(connection) as few:
        client.get("/calls/", {"status": "completed"})
    for i in range(80):
        make_call(exotel_account, asha, minutes_ago=i)
    with CaptureQueriesContext(connection) as many:
        client.get("/calls/", {"status": "completed"})

    assert len(many) == len(few)


def test_csv_export_streams_every_matching_call(client, supervisor, calls):
    client.login(username=supervisor.username, password=supervisor.password)

    response = client.get("/calls/export.csv", {"status": "completed"})

    assert response.streaming and response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:3] == ["created_at", "agent", "customer_number"]
    assert sorted(r[2] for r in rows[1:]) == ["+919876543200", "+919876543201", "+919876543202"]


def test_csv_export_never_lets_a_custom_field_run_as_a_formula(client, supervisor, exotel_account, asha):
    make_call(exotel_account, asha, custom_field='=HYPERLINK("http://evil")')
    client.login(username=supervisor.username, password=supervisor.password)

    rows = list(csv.reader(io.StringIO(b"".join(client.get("/calls/export.csv").streaming_content).decode())))

    column = rows[0].index("custom_field")
    assert [row[column] for row in rows[1:]] == ['\'=HYPERLINK("http://evil")']


def test_live_calls_partial_lists_calls_in_progress(client, supervisor, exotel_account, asha):
    make_call(exotel_account, asha, state=State.ACTIVE, status="", customer_number="+919844444444")
    client.login(username=supervisor.username, password=supervisor.password)

    home = client.get("/").content.decode()
    live = client.get("/calls/live/", HTTP_HX_REQUEST="true").content.decode()

    assert 'hx-get="/calls/live/"' in home
    assert "+919844444444" in live and "Ringing" in live


def test_opening_the_live_calls_address_directly_gives_a_whole_page(client, supervisor):
    client.login(username=supervisor.username, password=supervisor.password)

    page = client.get("/calls/live/").content.decode()

    assert "<title>Live calls" in page and 'hx-get="/calls/live/"' in page


def test_garbage_filters_and_cursor_never_500(client, supervisor, calls):
    client.login(username=supervisor.username, password=supervisor.password)

    for query in (
        {"cursor": "!!!"},
        {"cursor": "YWJj"},
        {"date_from": "yesterday"},
        {"agent": "x"},
        {"status": "nope"},
    ):
        assert client.get("/calls/", query).status_code == 200
        assert client.get("/calls/export.csv", query).status_code == 200


def test_a_date_at_the_end_of_the_calendar_is_not_a_server_error(client, supervisor, calls):
    client.login(username=supervisor.username, password=supervisor.password)

    for url in (
        "/calls/?date_to=9999-12-31",
        "/calls/kpis/?date_to=9999-12-31",
        "/calls/export.csv?date_to=9999-12-31",
    ):
        assert client.get(url).status_code == 200, url
