"""The demo's two weeks of shifts: every past day of every demo agent is accounted for, hour by hour,
once, and a second start adds nothing."""

from django.db.models import Sum

from agents.models import AgentState, StateInterval


def test_two_weeks_of_whole_days_once(db, sandbox):
    from agents.demo import demo_agents_create
    from agents.demo_history import DAYS, demo_history_create
    from exoadmin.accounts.demo import demo_data_create

    demo_data_create()
    demo_agents_create()

    summary = demo_history_create()

    assert summary.startswith("Demo history: 14 days of shifts")
    assert demo_history_create() == "Demo history of time in state already there."
    days = StateInterval.objects.values("agent", "day").annotate(total=Sum("seconds"))
    assert len(days) == 7 * DAYS
    assert {row["total"] for row in days} <= {24 * 3600, 23 * 3600, 25 * 3600}  # a day, clock changes aside
    states = set(StateInterval.objects.values_list("state", flat=True))
    assert {AgentState.PHONE, AgentState.SIP, AgentState.BOTH, AgentState.ON_CALL, AgentState.OFF} <= states
    assert StateInterval.objects.filter(changed_by__startswith="A call to +9198").exists()
