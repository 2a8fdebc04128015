from calls.demo import DEMO_OUTCOMES, demo_calls_create
from calls.models import Call, CallOutcome, CallSettings, OutcomeChange
from calls.outcome_selectors import waiting_for_outcome
from exoadmin.accounts.demo import demo_account_create, demo_data_create


def test_demo_calls_are_added_once(db):
    demo_account_create()

    demo_calls_create(count=5)
    demo_calls_create(count=5)

    assert Call.objects.count() == 5 and Call.objects.filter(legs__isnull=False).distinct().count() == 5


def test_the_demo_requires_outcomes_sets_some_and_leaves_asha_one_to_set(db, sandbox):
    from agents.demo import demo_agents_create

    demo_data_create()
    demo_agents_create()
    demo_calls_create(count=40)
    demo_calls_create(count=40)  # idempotent: nothing set twice

    account = CallSettings.objects.get().account
    assert list(CallOutcome.objects.filter(account=account).values_list("name", flat=True)) == DEMO_OUTCOMES
    assert CallSettings.objects.get().outcome_required
    assert Call.objects.filter(outcome__isnull=False).count() == OutcomeChange.objects.count() > 2
    asha = account.members.get(username="asha")
    assert waiting_for_outcome(asha).exists()
