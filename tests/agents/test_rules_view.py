"""Automatic end-of-shift rules, for supervisors: list, add, edit, delete, scoped to their accounts."""

import csv
import io
from datetime import datetime, time

import pytest
from django.utils import timezone

from agents import shifts
from agents.models import Agent, AutoOffRule, EndOfShiftJob
from exoadmin.accounts.services import account_create_or_update


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


@pytest.fixture
def acme_agents(exotel_account):
    return [
        Agent.objects.create(account=exotel_account, name=name, exotel_user_id=f"u-{n}")
        for n, name in enumerate(["Asha Rao", "Vikram Shah", "Meera Iyer"])
    ]


@pytest.fixture
def other_account(db):
    account = account_create_or_update(name="Globex", account_sid="globex", api_key="k", api_token="t", exophones=[])
    agent = Agent.objects.create(account=account, name="Stranger Danger", exotel_user_id="u-s")
    rule = AutoOffRule.objects.create(account=account, name="Globex night", at_time=time(22, 0))
    rule.agents.add(agent)
    return account, agent, rule


def rule_of(account, agents, **fields) -> AutoOffRule:
    rule = AutoOffRule.objects.create(
        account=account, **{"name": "Day shift ends", "at_time": time(19, 0), "weekdays": "0,1,2,3,4", **fields}
    )
    rule.agents.set(agents)
    return rule


def test_a_supervisor_adds_a_rule_for_agents_of_their_account(client, board_supervisor, exotel_account, acme_agents):
    log_in(client, board_supervisor)
    form = client.get("/agents/rules/new/").content.decode()
    assert "Asha Rao" in form and f'<option value="{exotel_account.pk}" selected>' in form  # their only account

    response = client.post(
        "/agents/rules/new/",
        {
            "name": "Day shift ends",
            "account": exotel_account.pk,
            "at_time": "19:00",
            "weekdays": list("01234"),
            "agents": [acme_agents[0].pk, acme_agents[1].pk],
            "enabled": "on",
        },
        follow=True,
    )

    rule = AutoOffRule.objects.get()
    assert (rule.account, rule.at_time, rule.weekdays, rule.enabled) == (exotel_account, time(19, 0), "0,1,2,3,4", True)
    assert set(rule.agents.all()) == set(acme_agents[:2])
    page = response.content.decode()
    assert "Rule “Day shift ends” saved: Mon–Fri at 19:00, 2 agents, on." in page
    assert "<td>Mon–Fri</td>" in page and "19:00" in page


def test_the_list_shows_only_rules_of_the_supervisors_accounts(
    client, board_supervisor, admin_login, exotel_account, acme_agents, other_account
):
    rule = rule_of(exotel_account, acme_agents, last_run_on=timezone.localdate())
    job = EndOfShiftJob.objects.create(rule=rule, source="rule", total=3)
    log_in(client, board_supervisor)

    mine = client.get("/agents/rules/").content.decode()
    client.force_login(admin_login.user)
    everything = client.get("/agents/rules/").content.decode()

    assert "Day shift ends" in mine and "Globex night" not in mine
    assert f'<a href="/agents/end-of-shift/{job.pk}/">' in mine and "<td>3</td>" in mine  # last run, agents
    assert "Day shift ends" in everything and "Globex night" in everything


def test_a_supervisor_of_another_account_cannot_see_change_or_delete_its_rules(client, board_supervisor, other_account):
    _, stranger, rule = other_account
    log_in(client, board_supervisor)  # a member of Acme only

    assert client.get(f"/agents/rules/{rule.pk}/").status_code == 404
    assert client.post(f"/agents/rules/{rule.pk}/", {"name": "Mine now"}).status_code == 404
    assert client.get(f"/agents/rules/{rule.pk}/delete/").status_code == 404
    assert client.post(f"/agents/rules/{rule.pk}/delete/").status_code == 404
    assert "Globex night" not in b"".join(client.get("/agents/rules.csv").streaming_content).decode()
    rule.refresh_from_db()
    assert rule.name == "Globex night"


def test_agents_may_not_use_the_rules_pages(client, agent_login, exotel_account, acme_agents):
    rule = rule_of(exotel_account, acme_agents)
    exotel_account.members.add(agent_login.user)
    log_in(client, agent_login)

    for url in (
        "/agents/rules/",
        "/agents/rules/new/",
        f"/agents/rules/{rule.pk}/",
        f"/agents/rules/{rule.pk}/delete/",
    ):
        assert client.get(url).status_code == 403, url
    assert client.post(f"/agents/rules/{rule.pk}/delete/").status_code == 403
    assert client.post("/agents/rules/new/", {"name": "x"}).status_code == 403
    assert AutoOffRule.objects.count() == 1
    assert "Auto-OFF rules" not in client.get("/").content.decode()


def test_an_empty_form_says_what_is_missing_in_words(client, board_supervisor, exotel_account, acme_agents):
    log_in(client, board_supervisor)

    page = client.post("/agents/rules/new/", {"account": ""}).content.decode()

    assert "The rule was not saved: fix what is marked below." in page
    for words in (
        "Give the rule a name, e.g. “Day shift ends”.",
        "Choose the account whose agents it turns OFF.",
        "Say when it runs, e.g. 19:00.",
        "Tick at least one day it runs on.",
        "Tick at least one agent or team whose devices it turns OFF.",
    ):
        assert words in page
    assert not AutoOffRule.objects.exists()


def test_bad_values_are_explained_and_the_ticks_kept(
    client, board_supervisor, exotel_account, acme_agents, other_account
):
    _, stranger, _ = other_account
    log_in(client, board_supervisor)

    page = client.post(
        "/agents/rules/new/",
        {
            "name": "Late",
            "account": exotel_account.pk,
            "at_time": "25:99",
            "weekdays": ["9"],
            "agents": [acme_agents[2].pk, stranger.pk],
        },
    ).content.decode()

    assert "Give the time as hours and minutes, e.g. 19:00." in page
    assert "Tick days from the list (Monday to Sunday)." in page
    assert "Some of the ticked agents are not in your accounts: tick agents from the list." in page
    assert f'value="{acme_agents[2].pk}" checked' in page
    assert not AutoOffRule.objects.filter(name="Late").exists()


def test_an_admin_cannot_mix_agents_of_two_accounts_in_one_rule(
    client, admin_login, exotel_account, acme_agents, other_account
):
    _, stranger, _ = other_account
    client.force_login(admin_login.user)

    page = client.post(
        "/agents/rules/new/",
        {
            "name": "Mixed",
            "account": exotel_account.pk,
            "at_time": "19:00",
            "weekdays": ["0"],
            "agents": [acme_agents[0].pk, stranger.pk],
        },
    ).content.decode()

    assert "Stranger Danger is not in Acme: a rule turns OFF agents of its own account only." in page
    assert AutoOffRule.objects.filter(name="Mixed").count() == 0


def test_editing_a_rule_changes_only_what_was_changed(client, board_supervisor, exotel_account, acme_agents):
    rule = rule_of(exotel_account, acme_agents[:1], last_run_on=timezone.localdate())
    log_in(client, board_supervisor)
    form = client.get(f"/agents/rules/{rule.pk}/").content.decode()
    assert 'value="Day shift ends"' in form and 'value="19:00"' in form
    assert f'value="{acme_agents[0].pk}" checked' in form

    client.post(
        f"/agents/rules/{rule.pk}/",
        {
            "name": "Day shift ends",
            "account": exotel_account.pk,
            "at_time": "20:30",
            "weekdays": ["5", "6"],
            "agents": [a.pk for a in acme_agents],
        },
    )

    rule.refresh_from_db()
    assert (rule.at_time, rule.days_in_words, rule.agents.count()) == (time(20, 30), "Sat and Sun", 3)
    assert not rule.enabled, "an unticked box turns it off"
    assert rule.last_run_on == timezone.localdate(), "a rule that ran today does not run twice today"


def test_deleting_asks_first_and_keeps_the_jobs_it_ran(client, board_supervisor, exotel_account, acme_agents):
    rule = rule_of(exotel_account, acme_agents)
    job = EndOfShiftJob.objects.create(rule=rule, source="rule", total=3)
    log_in(client, board_supervisor)

    confirm = client.get(f"/agents/rules/{rule.pk}/delete/").content.decode()
    assert "Delete the rule “Day shift ends”?" in confirm
    assert "It stops turning 3 agents of Acme OFF at 19:00" in confirm
    response = client.post(f"/agents/rules/{rule.pk}/delete/", follow=True)

    assert not AutoOffRule.objects.exists()
    job.refresh_from_db()
    assert job.rule is None
    assert "Rule “Day shift ends” deleted" in response.content.decode()


def test_a_rule_made_on_the_page_runs_at_its_time(client, board_supervisor, exotel_account, acme_agents):
    log_in(client, board_supervisor)
    client.post(
        "/agents/rules/new/",
        {
            "name": "Night",
            "account": exotel_account.pk,
            "at_time": "19:00",
            "weekdays": [str(d) for d in range(7)],
            "agents": [acme_agents[0].pk],
            "enabled": "on",
        },
    )

    jobs = shifts.auto_off_rules_run_due(now=timezone.make_aware(datetime(2026, 11, 23, 19, 5)))

    assert [(job.rule.name, job.total) for job in jobs] == [("Night", 1)]


def test_the_rules_csv_lists_each_rule_and_its_agents(client, board_supervisor, exotel_account, acme_agents):
    rule_of(exotel_account, acme_agents[:2])
    log_in(client, board_supervisor)

    body = b"".join(client.get("/agents/rules.csv").streaming_content).decode()

    rows = list(csv.DictReader(io.StringIO(body)))
    assert rows == [
        {
            "name": "Day shift ends",
            "account": "Acme",
            "at": "19:00",
            "days": "Mon–Fri",
            "enabled": "yes",
            "last_ran_on": "",
            "agents": "Asha Rao; Vikram Shah",
            "teams": "",
        }
    ]


def test_supervisors_find_the_rules_in_the_navigation(client, board_supervisor):
    log_in(client, board_supervisor)

    assert '<a href="/agents/rules/">Auto-OFF rules</a>' in client.get("/").content.decode()
