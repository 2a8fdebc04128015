"""Outcomes on the pages: the call page's form and audit, "my calls" inline, the agent's calls waiting
for an outcome, history's outcome filter and CSV columns; each person reaches only what they may see."""

import csv
import io

import pytest
from django.urls import reverse

from calls.models import CallOutcome, CallSettings, OutcomeChange, State
from calls.outcomes import call_outcome_set
from exoadmin.accounts.roles import Role
from exoadmin.accounts.services import account_create_or_update, user_create_or_update
from teams.models import Team
from tests.calls.conftest import make_call

HTMX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def outcomes(exotel_account):
    return {
        name: CallOutcome.objects.create(account=exotel_account, name=name, position=position)
        for position, name in enumerate(["Interested", "Call back", "Wrong number"])
    }


def post_outcome(client, call, outcome=None, note="", place="call", next="", **headers):
    data = {"outcome": outcome.pk if outcome else "", "note": note, "place": place, "next": next}
    return client.post(reverse("calls:outcome", args=[call.key]), data, **headers)


def test_the_agent_sets_their_calls_outcome_on_the_call_page_and_sees_who_and_when(
    client, exotel_account, asha, outcomes, agent_login
):
    call = make_call(exotel_account, asha)
    client.force_login(agent_login.user)

    answer = post_outcome(client, call, outcomes["Call back"], "After 6 pm", **HTMX)
    page = client.get(reverse("calls:detail", args=[call.key])).content.decode()

    assert answer.status_code == 200 and "Outcome saved: Call back for +919876543210." in answer.content.decode()
    assert "<strong>Call back</strong> — After 6 pm" in page and "set by Asha Rao" in page
    assert "no outcome → <strong>Call back</strong>" in page
    assert (
        post_outcome(client, call, outcomes["Call back"], "After 6 pm", **HTMX)
        .content.decode()
        .count("Nothing to change")
    )
    assert OutcomeChange.objects.count() == 1


def test_without_javascript_the_form_goes_back_where_it_came_from_with_a_message(
    client, exotel_account, asha, outcomes, agent_login
):
    call = make_call(exotel_account, asha)
    client.force_login(agent_login.user)

    answer = post_outcome(client, call, outcomes["Interested"], next="/calls/")
    follow = client.get(answer["Location"])

    assert answer.status_code == 302 and answer["Location"] == "/calls/"
    assert "Outcome saved: Interested for +919876543210." in follow.content.decode()


def test_a_call_still_on_is_refused_in_words(client, exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha, state=State.ACTIVE, status="")
    client.force_login(agent_login.user)

    answer = post_outcome(client, call, outcomes["Interested"], **HTMX).content.decode()

    assert "An outcome is set after a call ends" in answer and not OutcomeChange.objects.exists()


def test_another_agents_call_is_not_found(client, exotel_account, asha, vikram, outcomes, other_agent_login):
    call = make_call(exotel_account, asha)
    client.force_login(other_agent_login.user)

    assert post_outcome(client, call, outcomes["Interested"]).status_code == 404
    assert not OutcomeChange.objects.exists()


def test_an_outcome_of_another_account_is_not_found(client, exotel_account, asha, supervisor):
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    foreign = CallOutcome.objects.create(account=elsewhere, name="Interested")
    call = make_call(exotel_account, asha)
    client.force_login(supervisor.user)

    assert post_outcome(client, call, foreign).status_code == 404
    assert not OutcomeChange.objects.exists()


def test_a_team_lead_sets_outcomes_of_their_teams_calls_only(client, exotel_account, asha, vikram, outcomes):
    sales = Team.objects.create(account=exotel_account, name="Sales")
    lead = user_create_or_update(username="tara", password="pw-tara-2026", role=Role.SUPERVISOR)
    exotel_account.members.add(lead)
    sales.leads.add(lead)
    ours, theirs = make_call(exotel_account, asha), make_call(exotel_account, vikram)
    ours.teams.set([sales])
    client.force_login(lead)

    assert post_outcome(client, ours, outcomes["Interested"], **HTMX).status_code == 200
    assert post_outcome(client, theirs, outcomes["Interested"], **HTMX).status_code == 404
    assert list(OutcomeChange.objects.values_list("call", flat=True)) == [ours.pk]


def test_my_calls_offer_each_ended_call_its_outcome_inline(client, exotel_account, asha, outcomes, agent_login):
    ended = make_call(exotel_account, asha, customer_number="+919811100001")
    make_call(exotel_account, asha, customer_number="+919811100002", state=State.ACTIVE, status="")
    client.force_login(agent_login.user)

    page = client.get(reverse("calls:history")).content.decode()
    answer = post_outcome(client, ended, outcomes["Wrong number"], place="row", **HTMX).content.decode()

    assert page.count('data-testid="outcome-form"') == 1 and f'id="outcome-row-{ended.pk}"' in page
    assert f'id="outcome-row-{ended.pk}"' in answer
    assert "selected>Wrong number" in answer and "Outcome saved: Wrong number for +919811100001." in answer


@pytest.fixture
def required(exotel_account):
    CallSettings.objects.create(account=exotel_account, outcome_required=True)


def test_the_agents_page_lists_answered_calls_waiting_and_shrinks_as_they_are_set(
    client, exotel_account, asha, vikram, outcomes, agent_login, required
):
    first = make_call(exotel_account, asha, customer_number="+919811100001", minutes_ago=5)
    make_call(exotel_account, asha, customer_number="+919811100002")
    make_call(exotel_account, asha, customer_number="+919811100003", status="to_leg_unanswered")
    make_call(exotel_account, vikram, customer_number="+919811100004")
    client.force_login(agent_login.user)

    home = client.get("/").content.decode()
    answer = post_outcome(client, first, outcomes["Call back"], "Tomorrow", place="waiting", **HTMX).content.decode()

    assert "Calls waiting for an outcome" in home and home.count('data-testid="waiting-call"') == 2
    assert "+919811100003" not in home and "+919811100004" not in home
    assert answer.count('data-testid="waiting-call"') == 1 and f'href="/calls/{first.key}/"' not in answer
    assert "Outcome saved: Call back for +919811100001." in answer
    assert client.get(reverse("agents:mine")).content.decode().count('data-testid="waiting-call"') == 1


def test_no_waiting_list_when_the_account_does_not_require_outcomes(client, exotel_account, asha, agent_login):
    make_call(exotel_account, asha)
    client.force_login(agent_login.user)

    assert "Calls waiting for an outcome" not in client.get("/").content.decode()


def test_the_supervisors_home_counts_the_calls_waiting_in_their_scope(
    client, exotel_account, asha, vikram, supervisor, required
):
    make_call(exotel_account, asha)
    make_call(exotel_account, vikram)
    client.force_login(supervisor.user)

    assert "2 answered calls waiting for an outcome" in client.get("/").content.decode()


@pytest.fixture
def calls_with_outcomes(exotel_account, asha, outcomes, agent_login):
    called_back = make_call(exotel_account, asha, customer_number="+919811100001")
    call_outcome_set(user=agent_login.user, call_key=called_back.key, outcome_id=outcomes["Call back"].pk, note="6 pm")
    none_yet = make_call(exotel_account, asha, customer_number="+919811100002")
    return called_back, none_yet


def test_history_filters_by_outcome_as_a_chip_and_shows_each_calls_outcome(
    client, supervisor, outcomes, calls_with_outcomes
):
    client.force_login(supervisor.user)

    by_outcome = client.get(reverse("calls:history"), {"outcome": outcomes["Call back"].pk}).content.decode()
    none_yet = client.get(reverse("calls:history"), {"outcome": "none"}).content.decode()

    assert "+919811100001" in by_outcome and "+919811100002" not in by_outcome
    assert "Outcome: Call back" in by_outcome and '<td class="outcome-cell">Call back</td>' in by_outcome
    assert "+919811100002" in none_yet and "+919811100001" not in none_yet and "Outcome: No outcome yet" in none_yet


def test_the_csv_export_has_the_outcome_its_note_who_set_it_and_when(client, supervisor, calls_with_outcomes):
    called_back, _ = calls_with_outcomes
    called_back.refresh_from_db()
    client.force_login(supervisor.user)

    response = client.get(reverse("calls:export"), {"outcome": called_back.outcome_id})
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))

    assert len(rows) == 1
    assert (rows[0]["outcome"], rows[0]["outcome_note"], rows[0]["outcome_set_by"]) == ("Call back", "6 pm", "asha")
    assert rows[0]["outcome_set_at"] == called_back.outcome_set_at.isoformat()


def test_an_outcome_that_is_not_a_number_is_refused_in_words(client, exotel_account, asha, outcomes, agent_login):
    call = make_call(exotel_account, asha)
    client.force_login(agent_login.user)

    answer = client.post(reverse("calls:outcome", args=[call.key]), {"outcome": "interested", "place": "row"}, **HTMX)

    assert answer.status_code == 200 and "Pick an outcome from the list." in answer.content.decode()
    assert not OutcomeChange.objects.exists()


def test_the_waiting_list_fetches_itself_for_the_agent_page(client, exotel_account, asha, agent_login, required):
    make_call(exotel_account, asha, customer_number="+919811100001")
    client.force_login(agent_login.user)

    fragment = client.get(reverse("calls:waiting"), **HTMX).content.decode()

    assert fragment.count('data-testid="waiting-call"') == 1 and f"sse:agent-{asha.pk}" in fragment
