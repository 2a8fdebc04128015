"""The demo has two teams, each led by its own supervisor; the first supervisor stays account-wide."""

from django.contrib.auth.models import User

from agents.models import Agent
from agents.selectors import agents_for_user
from calls.selectors import visible_calls
from teams.models import Team


def test_the_demo_has_sales_and_support_each_with_its_own_lead(db, sandbox):
    from agents.demo import demo_agents_create
    from calls.demo import demo_calls_create
    from exoadmin.accounts.demo import demo_data_create

    demo_data_create()
    demo_agents_create()
    demo_agents_create()  # idempotent
    demo_calls_create(count=20)

    sales, support = Team.objects.get(name="Sales"), Team.objects.get(name="Support")
    asha, vikram = Agent.objects.get(user__username="asha"), Agent.objects.get(user__username="vikram")
    lead_of_sales, lead_of_support = User.objects.get(username="sales-lead"), User.objects.get(username="support-lead")
    assert asha in sales.agents.all() and vikram in support.agents.all()
    assert list(sales.leads.all()) == [lead_of_sales] and list(support.leads.all()) == [lead_of_support]
    assert not set(sales.agents.all()) & set(support.agents.all())
    assert sales.agents.count() + support.agents.count() == Agent.objects.count()
    assert set(agents_for_user(lead_of_sales)) == set(sales.agents.all())
    assert vikram not in agents_for_user(lead_of_sales)
    assert agents_for_user(User.objects.get(username="supervisor")).count() == Agent.objects.count()
    assert 0 < visible_calls(lead_of_sales).count() < visible_calls(User.objects.get(username="supervisor")).count()
    assert not sales.account.account_wide.filter(username__in=["sales-lead", "support-lead"]).exists()
