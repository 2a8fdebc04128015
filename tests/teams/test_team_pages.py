"""Admins manage teams on /teams/: the list, add and edit with the account's agents and supervisor
members only, delete with a confirm step; each change tells open screens of the account."""

import json
from datetime import datetime, time

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import Agent, AutoOffRule, EndOfShiftItem
from agents.shifts import auto_off_rules_run_due
from exoadmin.accounts.models import ExotelAccount
from exoadmin.live.publish import CHANNEL
from exoadmin.redis import get_redis
from teams.models import Team
from teams.services import TeamRefused, team_save


@pytest.fixture
def other_account(db):
    return ExotelAccount.objects.create(name="Globex", account_sid="globex", api_key="k", api_token="t")


def test_the_list_shows_each_team_with_its_account_agent_count_and_leads(client, admin_login, sides, lead_a):
    client.force_login(admin_login.user)

    page = client.get(reverse("teams:list")).content.decode()

    assert "Sales" in page and "Support" in page and "Acme" in page
    assert "Sara" in page  # the lead of Sales
    assert f'href="{reverse("teams:edit", args=[sides["A"].team.pk])}"' in page


def test_an_admin_adds_a_team_with_agents_and_a_lead(client, admin_login, sides, lead_a, exotel_account):
    client.force_login(admin_login.user)
    a, b = sides["A"], sides["B"]

    response = client.post(
        reverse("teams:add"),
        {
            "name": "Night shift",
            "account": exotel_account.pk,
            "agents": [a.agent.pk, b.agent.pk],
            "leads": [lead_a.user.pk],
        },
    )

    assert response.status_code == 302 and response["Location"] == reverse("teams:list")
    team = Team.objects.get(name="Night shift")
    assert set(team.agents.all()) == {a.agent, b.agent} and list(team.leads.all()) == [lead_a.user]


def test_an_agent_of_another_account_is_refused_in_words_and_nothing_is_saved(
    client, admin_login, sides, other_account, exotel_account
):
    stranger = Agent.objects.create(account=other_account, name="Gita Globex", exotel_user_id="u-g")
    client.force_login(admin_login.user)

    response = client.post(
        reverse("teams:edit", args=[sides["A"].team.pk]),
        {"name": "Sales", "account": exotel_account.pk, "agents": [sides["A"].agent.pk, stranger.pk]},
    )

    assert response.status_code == 422
    assert "Gita Globex is not in Acme: a team holds agents of its own account only." in response.content.decode()
    assert list(sides["A"].team.agents.all()) == [sides["A"].agent]


def test_a_lead_must_be_a_supervisor_member_of_the_account(sides, lead_a, other_account, admin_login, agent_login):
    account = sides["A"].team.account
    lead_a.user.exotel_accounts.remove(account)

    with pytest.raises(TeamRefused, match="sales-lead cannot lead it"):
        team_save(team=None, name="New", account=account, agents=[], leads=[lead_a.user], by=admin_login.user)
    with pytest.raises(TeamRefused, match="asha cannot lead it"):
        team_save(team=None, name="New", account=account, agents=[], leads=[agent_login.user], by=admin_login.user)
    with pytest.raises(TeamRefused, match="already has a team called"):
        team_save(team=None, name="sales", account=account, agents=[], leads=[], by=admin_login.user)
    assert Team.objects.count() == 2


def test_deleting_asks_first_then_deletes_and_keeps_the_agents(client, admin_login, sides):
    client.force_login(admin_login.user)
    team = sides["B"].team

    confirm = client.get(reverse("teams:delete", args=[team.pk]))
    deleted = client.post(reverse("teams:delete", args=[team.pk]))

    assert "Delete the team “Support”?" in confirm.content.decode()
    assert deleted.status_code == 302 and not Team.objects.filter(pk=team.pk).exists()
    assert Agent.objects.filter(pk=sides["B"].agent.pk).exists()


def test_a_team_change_is_published_for_its_account(
    sides, lead_a, admin_login, redis_server, django_capture_on_commit_callbacks
):
    pubsub = get_redis().pubsub(ignore_subscribe_messages=True)
    pubsub.subscribe(CHANNEL)
    pubsub.get_message(timeout=0.5)  # the subscription's own answer
    team = sides["A"].team

    with django_capture_on_commit_callbacks(execute=True):
        team_save(team=team, name="Sales", account=team.account, agents=[], leads=[lead_a.user], by=admin_login.user)

    message = pubsub.get_message(timeout=5)
    pubsub.close()
    assert message, "nothing was published"
    published = json.loads(message["data"])
    assert (published["topic"], published["id"], published["account"]) == ("team", team.pk, team.account_id)


def test_a_rule_targeting_a_team_turns_off_whoever_is_in_it_when_it_runs(sides, exotel_account):
    a, b = sides["A"], sides["B"]
    rule = AutoOffRule.objects.create(account=exotel_account, name="Sales off", at_time=time(19, 0))
    rule.teams.add(a.team)
    a.team.agents.add(b.agent)  # Vikram joined Sales after the rule was made

    jobs = auto_off_rules_run_due(now=timezone.make_aware(datetime(2026, 12, 7, 19, 1)))

    assert len(jobs) == 1
    assert set(EndOfShiftItem.objects.filter(job=jobs[0]).values_list("agent_id", flat=True)) == {
        a.agent.pk,
        b.agent.pk,
    }
