import pytest

from calls.models import LaunchOutcome
from tests.calls.conftest import make_call


def test_kpis_count_placed_calls_answer_rate_and_talk_time(client, supervisor, exotel_account, asha, vikram):
    make_call(exotel_account, asha, talk_time=40)
    make_call(exotel_account, asha, talk_time=20)
    make_call(exotel_account, vikram, status="to_leg_unanswered", talk_time=None)
    make_call(exotel_account, vikram, launch_outcome=LaunchOutcome.REFUSED, status="")  # never placed
    client.login(username=supervisor.username, password=supervisor.password)

    response = client.get("/calls/kpis/")

    kpis = response.context["kpis"]
    assert (kpis.calls, kpis.answered, kpis.answer_rate, kpis.average_talk) == (3, 2, 66.7, 30.0)
    assert {name: n for name, n, _ in kpis.per_agent} == {"Asha Rao": 2, "Vikram Shah": 1}
    assert "<svg" in response.content.decode()
    assert '<span class="muted">Completed</span><strong>2</strong>' in response.content.decode()  # history's word


@pytest.mark.parametrize("query", [{"date_from": "2026-99-01"}, {"date_from": "2026-11-10", "date_to": "2026-11-01"}])
def test_kpis_with_odd_dates_never_500(client, supervisor, query):
    client.login(username=supervisor.username, password=supervisor.password)

    assert client.get("/calls/kpis/", query).status_code == 200
