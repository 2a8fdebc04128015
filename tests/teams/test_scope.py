"""The permission matrix's team dimension: a supervisor who leads team A against every object of team B.

Each of B's things answers 404 by id (or is refused) and is absent from every list, count and export;
A's things are there, so each check could fail. Moving an agent between teams takes effect on the
next request."""

import pytest
from django.urls import reverse

from agents.audit import Actor
from agents.models import AutoOffRule, Device, EndOfShiftJob, Source
from agents.shifts import end_of_shift_job_create


def log_in(client, login):
    assert client.login(username=login.username, password=login.password)


def _text(response) -> str:
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


# (name, method, url of B's object, data): every way to open or act on one of B's things by id.
BY_ID = [
    ("agent page", "get", lambda b, r, j: reverse("agents:detail", args=[b.agent.pk]), {}),
    (
        "device ON/OFF",
        "post",
        lambda b, r, j: reverse("agents:device", args=[b.agent.pk, b.device.pk]),
        {"action": "off"},
    ),
    (
        "device switch",
        "post",
        lambda b, r, j: reverse("agents:device", args=[b.agent.pk, b.device.pk]),
        {"action": "switch"},
    ),
    ("phone/SIP", "post", lambda b, r, j: reverse("agents:phone_sip", args=[b.agent.pk]), {"phone": "off"}),
    ("stop taking calls", "post", lambda b, r, j: reverse("agents:unavailable", args=[b.agent.pk]), {}),
    ("drift", "post", lambda b, r, j: reverse("agents:drift", args=[b.agent.pk]), {"action": "accept"}),
    ("call page", "get", lambda b, r, j: reverse("calls:detail", args=[b.call.key]), {}),
    ("recording", "get", lambda b, r, j: reverse("calls:recording", args=[b.call.key]), {}),
    ("recording download", "get", lambda b, r, j: reverse("calls:recording", args=[b.call.key]), {"download": "1"}),
    ("rule naming B's agent", "get", lambda b, r, j: reverse("agents:rule_edit", args=[r["B agent"].pk]), {}),
    ("rule targeting team B", "get", lambda b, r, j: reverse("agents:rule_edit", args=[r["B team"].pk]), {}),
    ("rule naming A's and B's", "get", lambda b, r, j: reverse("agents:rule_edit", args=[r["both"].pk]), {}),
    ("rule edit saved", "post", lambda b, r, j: reverse("agents:rule_edit", args=[r["B team"].pk]), {"name": "x"}),
    ("rule delete page", "get", lambda b, r, j: reverse("agents:rule_delete", args=[r["B agent"].pk]), {}),
    ("rule deleted", "post", lambda b, r, j: reverse("agents:rule_delete", args=[r["B team"].pk]), {}),
    ("end-of-shift job", "get", lambda b, r, j: reverse("agents:end_of_shift", args=[j.pk]), {}),
]


@pytest.fixture
def b_job(sides, lead_b):
    """An end-of-shift job B's lead started for B's agent (its task is queued only on a commit)."""
    return end_of_shift_job_create(agents=[sides["B"].agent], actor=Actor.person(lead_b.user, Source.SUPERVISOR))


@pytest.mark.parametrize(("what", "method", "url", "data"), BY_ID, ids=[row[0] for row in BY_ID])
def test_team_bs_things_are_not_found_by_id_for_team_as_lead(
    client, sides, lead_a, rules, b_job, what, method, url, data
):
    log_in(client, lead_a)
    b = sides["B"]

    response = getattr(client, method)(url(b, rules, b_job), data)

    assert response.status_code == 404, what
    b.device.refresh_from_db()
    assert b.device.available is True  # nothing was sent or changed
    assert AutoOffRule.objects.filter(name__in=["Support team off", "Support agents off"]).count() == 2


def test_the_same_pages_open_for_team_as_own_things(client, sides, lead_a, rules):
    log_in(client, lead_a)
    a = sides["A"]

    assert client.get(reverse("calls:detail", args=[a.call.key])).status_code == 200
    assert client.get(reverse("agents:rule_edit", args=[rules["A agent"].pk])).status_code == 200
    assert client.get(reverse("agents:rule_edit", args=[rules["A team"].pk])).status_code == 200


# (name, url, query): every list, count and export a supervisor reads.
LISTS = [
    ("board", "agents:board", {}),
    ("board CSV", "agents:board_csv", {}),
    ("board searched", "agents:board", {"q": "Shah"}),
    ("history", "calls:history", {}),
    ("history by B's agent", "calls:history", {"agent": "B"}),
    ("calls CSV", "calls:export", {}),
    ("live calls", "calls:live", {}),
    ("KPIs", "calls:kpis", {}),
    ("home", "home", {}),
    ("rules", "agents:rules", {}),
    ("rules CSV", "agents:rules_csv", {}),
    ("call form", "calls:launch", {}),
]


@pytest.mark.parametrize(("what", "name", "query"), LISTS, ids=[row[0] for row in LISTS])
def test_team_bs_things_are_in_no_list_or_export_of_team_as_lead(client, sides, lead_a, rules, what, name, query):
    from calls.models import State

    a, b = sides["A"], sides["B"]
    for side in (a, b):  # live for "calls now", answered for the KPIs
        type(side.call).objects.filter(pk=side.call.pk).update(state=State.ACTIVE, launch_outcome="accepted")
    log_in(client, lead_a)
    query = {key: (b.agent.pk if value == "B" else value) for key, value in query.items()}

    page = _text(client.get(reverse(name), query, headers={"HX-Request": "true"} if name == "calls:live" else {}))

    for secret in (
        b.agent.name,
        b.number,
        b.device.contact_uri,
        "Support agents off",
        "Support team off",
        "Everyone off",
    ):
        assert secret not in page, (what, secret)
    if query.get("q") or query.get("agent"):
        return
    mine = {"home": None, "rules": "Sales team off", "rules CSV": "Sales agents off", "call form": a.agent.name}
    expected = mine.get(what, a.agent.name if "board" in what or what == "KPIs" else a.number)
    assert expected is None or expected in page, (what, expected)


def test_counts_and_totals_are_team_as_only(client, sides, lead_a):
    log_in(client, lead_a)

    home = client.get(reverse("home"))
    board = client.get(reverse("agents:board"))
    kpis = client.get(reverse("calls:kpis"))
    totals = client.get(reverse("calls:totals"))

    assert home.context["agent_counts"]["total"] == 1
    assert home.context["today"].calls == 1
    assert board.context["page"].total == 1 and board.context["page"].counts["off"] == 1
    assert kpis.context["kpis"].calls == 1
    assert totals.context["total"] == 1


def test_end_of_shift_with_a_team_b_agent_starts_nothing(client, sides, lead_a):
    log_in(client, lead_a)
    a, b = sides["A"], sides["B"]

    only_b = client.post(reverse("agents:end_of_shift_start"), {"agents": [b.agent.pk], "confirm": "1"}, follow=True)
    mixed = client.post(reverse("agents:end_of_shift_start"), {"agents": [a.agent.pk, b.agent.pk], "confirm": "1"})

    assert "not yours to turn OFF" in only_b.content.decode()
    assert mixed.status_code == 302 and mixed["Location"] == reverse("agents:board")
    assert not EndOfShiftJob.objects.exists()
    assert Device.objects.filter(available=True).count() == 2


def test_a_rule_form_offers_only_team_as_agents_and_team(client, sides, lead_a, exotel_account):
    log_in(client, lead_a)
    a, b = sides["A"], sides["B"]

    form = client.get(reverse("agents:rule_add")).content.decode()
    saved = client.post(
        reverse("agents:rule_add"),
        {"name": "Late", "account": exotel_account.pk, "at_time": "20:00", "weekdays": ["0"], "teams": [b.team.pk]},
    )

    assert a.agent.name in form and "Sales" in form
    assert b.agent.name not in form and "Support" not in form
    assert saved.status_code == 200 and "not yours" in saved.content.decode()


def test_moving_an_agent_into_team_a_shows_them_to_its_lead_on_the_next_request(client, sides, lead_a, admin_login):
    from teams.services import team_save

    log_in(client, lead_a)
    a, b = sides["A"], sides["B"]
    assert client.get(reverse("agents:detail", args=[b.agent.pk])).status_code == 404

    team_save(
        team=a.team,
        name="Sales",
        account=a.team.account,
        agents=[a.agent, b.agent],
        leads=[lead_a.user],
        by=admin_login.user,
    )

    board = client.get(reverse("agents:board")).content.decode()
    assert b.agent.name in board
    history = client.get(reverse("calls:history")).content.decode()
    assert b.number not in history  # a call stays with the team its agent was in when it was placed


def test_an_account_wide_supervisor_opens_every_rule_once_whoever_else_is_a_member(
    client, sides, lead_a, lead_b, rules, supervisor_login, exotel_account
):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)
    log_in(client, supervisor_login)

    listed = client.get(reverse("agents:rules")).context["rules"]
    opened = [client.get(reverse("agents:rule_delete", args=[rule.pk])).status_code for rule in rules.values()]

    assert sorted(rule.name for rule in listed) == sorted(rule.name for rule in rules.values())
    assert opened == [200] * len(rules)
