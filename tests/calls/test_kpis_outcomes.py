"""KPIs split by outcome: calls and answered calls per outcome in the outcomes' order, then the calls
with no outcome yet, each with its share of the answered calls; one query at any size."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from calls.kpis import OutcomeKpis, per_outcome
from calls.models import Call, CallOutcome
from exoadmin.accounts.services import account_create_or_update
from tests.calls.conftest import make_call


def with_outcome(account, agent, outcome, **fields):
    return make_call(account, agent, outcome=outcome, **fields)


def test_calls_split_by_outcome_with_their_share_of_answered_calls(client, supervisor, exotel_account, asha, vikram):
    interested, call_back, _unused = (
        CallOutcome.objects.create(account=exotel_account, name=name, position=position)
        for position, name in enumerate(["Interested", "Call back", "Wrong number"])
    )
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    elsewhere.members.add(supervisor.user)
    elsewhere.account_wide.add(supervisor.user)
    other_interested = CallOutcome.objects.create(account=elsewhere, name="Interested", position=5)
    for _ in range(3):
        with_outcome(exotel_account, asha, interested)
    with_outcome(elsewhere, None, other_interested)  # the same outcome in another account: the same row
    with_outcome(exotel_account, vikram, call_back)
    with_outcome(exotel_account, vikram, call_back, status="to_leg_unanswered", talk_time=None)
    make_call(exotel_account, asha)  # answered, no outcome yet
    make_call(exotel_account, asha, status="to_leg_unanswered", talk_time=None)  # not answered, none needed
    client.force_login(supervisor.user)

    response = client.get("/calls/kpis/")

    assert response.context["kpis"].per_outcome == [
        OutcomeKpis(outcome="Interested", calls=4, answered=4, share=66.7),
        OutcomeKpis(outcome="Call back", calls=2, answered=1, share=16.7),
        OutcomeKpis(outcome="", calls=2, answered=1, share=16.7),
    ]
    page = response.content.decode()
    assert 'data-testid="outcome-kpis"' in page and "No outcome yet" in page and "66.7 %" in page


def test_the_outcome_split_is_one_query_for_any_number_of_calls_and_outcomes(exotel_account, asha):
    outcomes = [CallOutcome.objects.create(account=exotel_account, name=f"O{n}") for n in range(2)]
    with_outcome(exotel_account, asha, outcomes[0])
    with CaptureQueriesContext(connection) as few:
        per_outcome(Call.objects.all())
    outcomes += [CallOutcome.objects.create(account=exotel_account, name=f"P{n}") for n in range(10)]
    for outcome in outcomes:
        with_outcome(exotel_account, asha, outcome)
    with CaptureQueriesContext(connection) as many:
        rows = per_outcome(Call.objects.all())

    assert len(few) == len(many) == 1 and len(rows) == 12


def test_no_calls_no_split(db):
    assert per_outcome(Call.objects.none()) == []
