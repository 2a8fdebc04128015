"""Accessibility in chromium, with the demo world loaded: axe-core finds no serious or critical
violation on any page of any role (the agent's at phone width); an agent and a supervisor do their
main jobs with the keyboard alone; and what htmx updates change is read out by live regions.

The pages come from the URL conf (as in the permission matrix) and Django admin's registry, so a new
view or model is checked without being listed here; a route whose object the demo world lacks fails.
"""

import json
import re
import uuid
from dataclasses import dataclass
from datetime import time as clock
from datetime import timedelta

import pytest
from axe_playwright_python.base import AXE_SCRIPT
from django.contrib import admin
from django.contrib.auth.models import User
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import ClockedSchedule, CrontabSchedule, IntervalSchedule, PeriodicTask, SolarSchedule
from playwright.sync_api import expect

from agents.audit import Actor
from agents.demo import demo_agents_create
from agents.devices import agent_go_unavailable, device_switch_to
from agents.models import Agent, AvailabilityEvent, EndOfShiftItem, EndOfShiftJob, ItemStatus, JobStatus, Source
from agents.shifts import auto_off_rule_save, end_of_shift_job_run
from agents.sync import agents_sync
from calls.demo import demo_calls_create
from calls.models import Call, CallSettings, LaunchOutcome, RecordingAccess, State
from contacts import services as contacts_services
from contacts.demo import demo_contacts_create
from contacts.models import BulkEdit, BulkEditProblem, Contact, ContactSync
from exoadmin.accounts.demo import DEMO_LOGINS, demo_data_create
from exoadmin.accounts.models import ExotelAccount
from exoadmin.health.models import WorkerHeartbeat
from exoadmin.sandbox import demo as sandbox_demo
from reports.demo import demo_daily_emails_create
from teams.models import Team
from teams.people.csvfile import COLUMNS as PEOPLE_COLUMNS
from teams.people.services import people_import_check
from tests.calls.conftest import callbacks_to, fast_calls  # noqa: F401
from tests.conftest import Login
from tests.test_permission_matrix import ALLOWED, AUDIENCE, PUBLIC, product_urls

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 900}
BLOCKING = ("serious", "critical")
SETTLED = "!document.querySelector('.htmx-request')"  # no htmx request in flight (e.g. hx-trigger=load)


# -- the demo world ---------------------------------------------------------------------------


@dataclass
class Demo:
    logins: dict[str, Login]  # by role
    asha: Agent  # the agent login's agent: phone ON, softphone OFF
    ids: dict  # a value for every parameter of every route
    admin_objects: dict  # the row whose change form is checked, by model (else any row)


@pytest.fixture
def demo(sandbox, settings, monkeypatch) -> Demo:
    """`make run`'s demo (sandbox account, agents synced from it, contacts, a day of calls) plus one
    of everything else a page can show: a call with legs and a recording, a live call, a rule, a
    finished end-of-shift job, a bulk edit waiting for review with a problem row, and a row for every
    model Django admin lists."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # four logins, each test
    monkeypatch.setattr(sandbox_demo, "DEFAULT_CONTACTS", 20)  # a page of them, not four
    sandbox.reset(seed="demo", contacts=sandbox_demo.DEFAULT_CONTACTS)
    demo_data_create()
    demo_agents_create()
    demo_contacts_create()
    demo_calls_create(count=12)
    demo_daily_emails_create()
    account = ExotelAccount.objects.get(account_sid=sandbox_demo.DEMO_ACCOUNT["sid"])
    agents_sync(account=account)
    by_name = {username: Login(None, username, password) for username, password, *_ in DEMO_LOGINS}
    supervisor = account.members.get(username="supervisor")
    asha = Agent.objects.get(user__username="asha")
    meera = Agent.objects.get(name="Meera Iyer")  # devices, and no login: admin's change form at its fullest

    call = Call.objects.filter(legs__isnull=False).first()
    assert call is not None, "the demo has calls with legs"
    Call.objects.filter(pk=call.pk).update(agent=asha, has_recording=True, recording_url="https://example.com/a.mp3")
    RecordingAccess.objects.create(call=call, user=supervisor, kind=RecordingAccess.Kind.PLAY)
    Call.objects.create(
        account=account,
        agent=asha,
        customer_number="+919812300001",
        exophone=sandbox_demo.DEMO_EXOPHONES[0],
        state=State.ACTIVE,
        launch_outcome=LaunchOutcome.ACCEPTED,
        created_at=timezone.now() - timedelta(seconds=40),
    )
    AvailabilityEvent.objects.create(
        agent=asha, at=timezone.now(), source=Source.AGENT, device="Phone", before="OFF", after="ON", outcome="applied"
    )
    rule = auto_off_rule_save(
        actor=Actor.person(supervisor, Source.SUPERVISOR),
        name="Day shift ends",
        account=account,
        at_time=clock(19, 0),
        weekdays=["0", "1", "2", "3", "4"],
        agents=[asha, meera],
        enabled=True,
    )
    job = EndOfShiftJob.objects.create(created_by=supervisor, total=2, done=1, failed=1, status=JobStatus.DONE)
    EndOfShiftItem.objects.create(job=job, agent=asha, status=ItemStatus.DONE)
    EndOfShiftItem.objects.create(job=job, agent=meera, status=ItemStatus.FAILED, message="Exotel did not answer.")
    sids = list(Contact.objects.filter(account=account).values_list("sid", flat=True)[:5])
    bulk_edit = contacts_services.bulk_edit_create_from_selection(
        account=account, user=supervisor, sids=[*sids, "not-in-the-copy"], fields={"tag": "vip"}
    )
    BulkEditProblem.objects.create(bulk_edit=bulk_edit, line=7, column="email", value="x@", message="Not an email.")
    ContactSync.objects.create(account=account, state="done", fetched=20, total=20, finished_at=timezone.now())
    CallSettings.objects.update_or_create(account=account, defaults={"api_version": "v3"})  # the demo made it
    team, _ = Team.objects.get_or_create(account=account, name="Sales")
    team.agents.add(asha)
    WorkerHeartbeat.objects.create(hostname="worker@demo", seen_at=timezone.now())
    every_3_minutes = IntervalSchedule.objects.create(every=3, period=IntervalSchedule.MINUTES)
    CrontabSchedule.objects.create(minute="0", hour="19")
    SolarSchedule.objects.create(event="sunset", latitude=12.97, longitude=77.59)
    ClockedSchedule.objects.create(clocked_time=timezone.now())
    PeriodicTask.objects.create(name="agents sync", task="agents.tasks.agents_sync_all", interval=every_3_minutes)
    people = [PEOPLE_COLUMNS, ["supervisor", "Sunita Rao", "", "supervisor", account.name], ["x", "X", "x@", "boss"]]
    people_import = people_import_check(  # a people import waiting for review: a change and a rejected row
        data="".join(",".join(row) + "\n" for row in people).encode(),
        filename="people.csv",
        user=User.objects.get(username="admin"),
    )
    return Demo(
        logins={"admin": by_name["admin"], "supervisor": by_name["supervisor"], "agent": by_name["asha"]},
        asha=asha,
        ids={
            "device_id": asha.devices.values_list("pk", flat=True)[0],
            "agent_id": asha.pk,
            "job_id": job.pk,
            "rule_id": rule.pk,
            "key": call.key,
            "bulk_edit_id": bulk_edit.id,
            "import_id": people_import.pk,
            "team_id": team.pk,
            "token": "a-token",  # the webhook's: not a page
        },
        admin_objects={Agent: meera, Call: call, ExotelAccount: account},
    )


class NoSample(dict):
    def __missing__(self, converter):
        raise LookupError(f"a route takes a {converter} that demo() has no object for: add one to its ids")


def product_pages(role: str, demo: Demo) -> list[str]:
    """Every route the role may use whose GET answers a whole HTML page; not downloads, fragments
    for htmx, or actions that only take POST (405)."""
    client = Client()
    login = demo.logins[role]
    client.login(username=login.username, password=login.password)
    pages = []
    for name, url in product_urls(demo.ids, samples=NoSample()):
        if AUDIENCE[name] == PUBLIC or role not in ALLOWED[AUDIENCE[name]]:
            continue
        response = client.get(url)
        html = response.get("Content-Type", "").startswith("text/html")
        if not html or response.status_code == 405:
            continue  # a download, a stream, or an action
        whole = response.content.startswith(b"<!doctype html>")
        assert response.status_code == 200, f"{name} ({url}) answers {response.status_code} to a {role}"
        if whole:  # else a fragment htmx fetches into a page
            pages.append(url)
    return pages


def admin_pages(demo: Demo) -> list[str]:
    """Django admin's index and, for every model it lists, the list and one change form."""
    pages = [reverse("admin:index")]
    for model in admin.site._registry:
        name = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        row = demo.admin_objects.get(model) or model._default_manager.first()
        assert row is not None, f"demo() has no {model._meta.label} for its change form"
        pages += [reverse(f"{name}_changelist"), reverse(f"{name}_change", args=[row.pk])]
    return pages


def admin_stylesheet_sample(demo: Demo) -> set[str]:
    """Django admin's colours and layout come from its stylesheets and static/css/admin.css alone (no
    model admin renders any), and the rules that read them (contrast, orientation lock) take most of
    axe's time: they run on the index, a changelist with filters, search and actions, and change forms
    with inlines, read-only fields, an autocomplete and a filter_horizontal."""
    agent, account = demo.admin_objects[Agent], demo.admin_objects[ExotelAccount]
    return {
        reverse("admin:index"),
        reverse("admin:agents_agent_changelist"),
        reverse("admin:agents_agent_change", args=[agent.pk]),
        reverse("admin:accounts_exotelaccount_change", args=[account.pk]),
    }


# -- helpers ----------------------------------------------------------------------------------


def browse_as(page, live_server, login: Login | None, viewport=DESKTOP) -> None:
    page.set_viewport_size(viewport)
    page.context.add_init_script(script=AXE_SCRIPT)
    if login:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(login.username)
        page.get_by_label("Password").fill(login.password)
        page.get_by_label("Password").press("Enter")
        expect(page.get_by_test_id("user-name")).to_be_visible()


ID_PROBLEMS = """() => {
  const problems = [], seen = new Set();
  for (const el of document.querySelectorAll("[id]")) {
    if (seen.has(el.id)) problems.push(`id ${el.id} twice: ${el.outerHTML.slice(0, 120)}`);
    seen.add(el.id);
  }
  for (const el of document.querySelectorAll("[aria-describedby], [aria-labelledby], [aria-controls], label[for]")) {
    for (const name of ["aria-describedby", "aria-labelledby", "aria-controls", "for"]) {
      const ids = (el.getAttribute(name) || "").split(" ").filter(Boolean);
      if (ids.some(id => !document.getElementById(id))) {
        problems.push(`${name} names no element: ${el.outerHTML.slice(0, 120)}`);
      }
    }
  }
  return problems;
}"""  # axe leaves dangling references to a person's review, and duplicate ids are "minor" to it


def axe_problems(page, where: str, *, stylesheets: bool = True) -> list[str]:
    """axe-core's serious and critical violations on the page as it is now, one line per element; on
    our own pages also ids used twice or named but absent. `stylesheets=False` leaves out the rules
    that read the page's stylesheets: colour contrast and orientation lock."""
    options = {"resultTypes": ["violations"], "preload": stylesheets}
    if not stylesheets:
        options["rules"] = {"color-contrast": {"enabled": False}, "css-orientation-lock": {"enabled": False}}
    page.wait_for_function(SETTLED)
    results = page.evaluate("options => axe.run(options)", options)
    lines = []
    if "/admin/" not in page.url:  # Django admin names help texts it does not render (Django 5.2): ours do not
        lines += [f"{where}: {problem}" for problem in page.evaluate(ID_PROBLEMS)]
    for violation in results["violations"]:
        if violation["impact"] in BLOCKING:
            lines.append(f"{where}: {violation['id']} ({violation['impact']}) {violation['help']}")
            lines += [f"    {' '.join(node['target'])}: {node['html'][:160]}" for node in violation["nodes"]]
    return lines


def check_pages(page, live_server, urls: list[str], role: str, *, stylesheets=lambda url: True) -> list[str]:
    problems = []
    for url in urls:
        page.goto(f"{live_server.url}{url}")
        problems += axe_problems(page, f"{url} as {role}", stylesheets=stylesheets(url))
    return problems


def focused(page) -> dict:
    """The focused element: its accessible-ish name and whether a focus ring shows."""
    return page.evaluate(
        """() => {
          const el = document.activeElement, style = getComputedStyle(el);
          return {
            name: (el.getAttribute("aria-label") || (el.labels && el.labels.length && el.labels[0].innerText)
                   || el.innerText || el.tagName).trim(),
            tag: el.tagName,
            ring: style.outlineStyle !== "none" && parseFloat(style.outlineWidth) >= 2,
          };
        }"""
    )


def tab_to(page, name: str, *, limit: int = 40, back: bool = False) -> list[str]:
    """Tab (or Shift+Tab) until the control named `name` has focus; answers the names passed on the
    way. Every stop must show a focus ring."""
    passed = []
    for _ in range(limit):
        page.keyboard.press("Shift+Tab" if back else "Tab")
        now = focused(page)
        assert now["ring"], f"no visible focus on {now}"
        passed.append(now["name"])
        if now["name"] == name:
            return passed
    raise AssertionError(f"{name!r} never got focus; Tab went through {passed}")


def announced(page, how: str = "polite"):
    return page.get_by_test_id(f"announce-{how}")


# -- axe over every page -----------------------------------------------------------------------


def test_every_page_an_agent_sees_at_phone_width_has_no_serious_violation(page, live_server, demo):
    browse_as(page, live_server, demo.logins["agent"], PHONE)
    urls = product_pages("agent", demo)
    assert {"/", "/agents/me/", "/calls/"} <= set(urls)

    problems = check_pages(page, live_server, [*urls, "/agents/", f"/calls/{uuid.uuid4()}/"], "agent")  # 403, 404

    assert not problems, "\n".join(problems)


def test_every_supervisor_page_has_no_serious_violation(page, live_server, demo):
    browse_as(page, live_server, demo.logins["supervisor"])
    urls = product_pages("supervisor", demo)
    assert {"/agents/", "/calls/", "/contacts/bulk/", f"/contacts/bulk/{demo.ids['bulk_edit_id']}/"} <= set(urls)

    problems = check_pages(page, live_server, urls, "supervisor")
    # States a page only reaches by use: filters as chips, the call side panel, a form's errors.
    page.goto(f"{live_server.url}/agents/?q=a&availability=available")
    problems += axe_problems(page, "board with filters")
    page.goto(f"{live_server.url}/calls/")
    page.get_by_label("Status").select_option("completed")  # htmx swaps the results in
    expect(page.locator(".chip.removable")).to_be_visible()
    page.wait_for_load_state("networkidle")  # the swapped-in rows are htmx's before a key opens one
    page.locator(".calls-table tbody a").first.press("Enter")
    expect(page.locator("#call-panel h2")).to_be_visible()
    problems += axe_problems(page, "history with its side panel")
    page.goto(f"{live_server.url}/agents/rules/new/")
    page.get_by_role("button", name="Add the rule").press("Enter")
    expect(page.get_by_test_id("form-errors")).to_be_visible()
    problems += axe_problems(page, "rule form with errors")

    assert not problems, "\n".join(problems)


def test_every_admin_page_and_django_admin_has_no_serious_violation(page, live_server, demo):
    browse_as(page, live_server, demo.logins["admin"])
    urls = [*product_pages("admin", demo), "/healthz", *admin_pages(demo)]  # health with each check's detail
    # The pages an admin shares with supervisors had their stylesheets checked in the supervisor's test.
    sample = {"/", "/healthz", *admin_stylesheet_sample(demo)}

    problems = check_pages(page, live_server, urls, "admin", stylesheets=sample.__contains__)

    assert not problems, "\n".join(problems)


def test_pages_without_a_login_have_no_serious_violation(page, live_server, demo):
    browse_as(page, live_server, None)

    problems = check_pages(page, live_server, ["/login/", "/healthz", "/no-such-page/", "/admin/login/"], "visitor")
    page.goto(f"{live_server.url}/login/")
    page.get_by_label("Username").fill("asha")
    page.get_by_label("Password").fill("not-the-password")
    page.get_by_label("Password").press("Enter")
    expect(page.get_by_role("alert")).to_be_visible()
    problems += axe_problems(page, "login with an error")

    assert not problems, "\n".join(problems)


# -- the keyboard alone -------------------------------------------------------------------------


def keyboard_log_in(page, live_server, login: Login, viewport=DESKTOP) -> None:
    browse_as(page, live_server, None, viewport)
    page.goto(f"{live_server.url}/login/")  # the username field has focus
    page.keyboard.type(login.username)
    page.keyboard.press("Tab")
    page.keyboard.type(login.password)
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("user-name")).to_be_visible()


def test_an_agent_turns_a_device_on_with_the_keyboard_on_a_phone_and_hears_it(page, live_server, demo):
    asha = demo.asha
    agent_go_unavailable(agent=asha, actor=Actor.person(asha.user, Source.AGENT))
    keyboard_log_in(page, live_server, demo.logins["agent"], PHONE)
    expect(page.get_by_test_id("my-state")).to_have_text("You are not taking calls.")

    passed = tab_to(page, "Turn ON")
    assert passed[0] == "Skip to content" and passed.index("Log out") < len(passed) - 1, passed
    phone_card = page.get_by_test_id(f"device-{asha.devices.get(type='tel').pk}")
    expect(phone_card.get_by_role("button", name="Turn ON")).to_be_focused()
    page.keyboard.press("Enter")

    expect(announced(page)).to_contain_text("Calls ring on your phone +919876500001.")
    expect(announced(page)).to_contain_text("Done: Exotel confirmed the change.")
    expect(phone_card.get_by_role("button", name="Turn OFF")).to_be_focused()  # focus stays on the control
    assert focused(page)["ring"]
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Tab")
    expect(phone_card.get_by_role("button", name="Turn OFF")).to_be_focused()
    page.screenshot(path="/tmp/a11y-agent-keyboard.png", full_page=True)


def test_a_supervisor_launches_a_call_with_the_keyboard_alone(
    page, live_server, demo, fast_calls, callbacks_to, celery_worker
):
    keyboard_log_in(page, live_server, demo.logins["supervisor"])
    tab_to(page, "New call")
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="New call")).to_be_visible()
    tab_to(page, "Agent")
    page.keyboard.type("Asha")  # a select picks the option its letters start
    expect(page.get_by_label("Agent", exact=True)).to_have_value(str(demo.asha.pk))
    page.keyboard.press("Tab")
    expect(page.get_by_label("Customer number")).to_be_focused()
    page.keyboard.type("98765 43210")
    passed = tab_to(page, "Check the agent's device")
    assert passed == ["ExoPhone", "Options (recording, time limits, custom field, playback, streaming)", passed[-1]]
    assert not axe_problems(page, "launch form")
    page.keyboard.press("Enter")

    expect(page.get_by_test_id("confirm")).to_contain_text("Asha Rao's Phone +919876500001 rings first")
    assert not axe_problems(page, "confirm step")
    tab_to(page, "Call now")
    page.keyboard.press("Space")

    expect(page).to_have_url(re.compile(r".*/calls/[0-9a-f-]{36}/$"))
    expect(announced(page)).to_contain_text("Exotel accepted the call")
    expect(page.get_by_test_id("call-status")).to_have_text("Completed", timeout=20_000)
    expect(announced(page)).to_contain_text("Completed")
    page.screenshot(path="/tmp/a11y-call-keyboard.png", full_page=True)


# -- live regions -------------------------------------------------------------------------------


def poll(page, url: str, target: str, swap: str = "outerHTML") -> None:
    """What an hx-trigger="every …" does, now: a request no person caused. The live regions are
    emptied first, so what the poll makes them say shows."""
    page.evaluate("document.querySelectorAll('[aria-live]:not([aria-live=off])').forEach(r => r.textContent = '')")
    page.evaluate(f"htmx.ajax('GET', {json.dumps(url)}, {{target: {json.dumps(target)}, swap: {json.dumps(swap)}}})")
    page.wait_for_function(SETTLED)
    page.wait_for_timeout(300)  # longer than the announcer waits before it speaks


def test_the_agent_page_says_what_changed_and_polls_stay_quiet(page, live_server, demo, sandbox):
    asha = demo.asha
    phone, sip = asha.devices.get(type="tel"), asha.devices.get(type="sip")
    browse_as(page, live_server, demo.logins["agent"], PHONE)
    page.goto(f"{live_server.url}/agents/me/")

    poll(page, "/agents/me/", "#my-devices")
    expect(announced(page)).to_have_text("")  # nothing changed: nothing said
    supervisor = asha.account.members.get(username="supervisor")
    device_switch_to(device=sip, actor=Actor.person(supervisor, Source.SUPERVISOR))
    poll(page, "/agents/me/", "#my-devices")
    expect(announced(page)).to_have_text("Calls ring on your SIP softphone sip:asha.rao.")

    sip_card = page.get_by_test_id(f"device-{sip.pk}")
    sip_card.get_by_role("button", name="Turn OFF").press("Enter")
    expect(announced(page)).to_have_text("You are not taking calls. Done: Exotel confirmed the change.")
    expect(sip_card.get_by_role("button", name="Turn ON")).to_be_focused()
    sandbox.control("PATCH", f"/_sandbox/devices/{phone.exotel_id}", {"available": True})  # ON behind our back
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Another device is ON: turn it OFF first")
    # Exotel was read back after refusing: the page says what rings now (the phone turned ON elsewhere)
    expect(announced(page)).to_have_text(f"Calls ring on your phone {phone.contact_uri}.")


def test_the_board_says_what_a_switch_and_a_filter_did_but_not_each_poll(page, live_server, demo):
    asha = demo.asha
    browse_as(page, live_server, demo.logins["supervisor"])
    page.goto(f"{live_server.url}/agents/")

    row = page.get_by_test_id(f"agent-row-{asha.pk}")
    row.get_by_role("button", name="Switch Asha Rao to SIP").press("Enter")
    expect(announced(page)).to_have_text("Exotel confirmed.")
    expect(row.get_by_role("button", name="Turn SIP sip:asha.rao OFF for Asha Rao")).to_be_focused()
    page.get_by_placeholder("Search name or number").fill("Meera")
    expect(announced(page)).to_have_text("Showing 1 agent.")
    poll(page, "/agents/?q=Meera", "#board")
    expect(announced(page)).to_have_text("")
    assert page.locator("#board").get_attribute("aria-live") == "off"  # the board itself never talks


def test_jobs_live_calls_the_call_panel_and_flash_messages_are_announced(page, live_server, demo):
    browse_as(page, live_server, demo.logins["supervisor"])
    job = EndOfShiftJob.objects.create(total=1)
    EndOfShiftItem.objects.create(job=job, agent=Agent.objects.get(name="Vikram Shah"))
    page.goto(f"{live_server.url}/agents/end-of-shift/{job.pk}/")
    end_of_shift_job_run(job_id=job.pk)  # what the worker does; the page polls every second
    expect(announced(page)).to_contain_text("Finished 1 of 1 agents handled: 1 all OFF.")

    bulk_edit = BulkEdit.objects.get(pk=demo.ids["bulk_edit_id"])
    BulkEdit.objects.filter(pk=bulk_edit.pk).update(state=BulkEdit.State.QUEUED, confirmed_at=timezone.now())
    page.goto(f"{live_server.url}{bulk_edit.get_absolute_url()}")
    BulkEdit.objects.filter(pk=bulk_edit.pk).update(state=BulkEdit.State.RUNNING)
    expect(announced(page)).to_have_text("running")
    BulkEdit.objects.filter(pk=bulk_edit.pk).update(state=BulkEdit.State.DONE_WITH_ERRORS, applied=5, failed=1)
    expect(announced(page)).to_have_text("done with errors 5 applied 1 failed")

    page.goto(f"{live_server.url}/")
    expect(announced(page)).to_have_text("1 call in progress")
    poll(page, "/calls/live/", "#live-calls-list", "innerHTML")
    expect(announced(page)).to_have_text("")
    Call.objects.create(
        account=demo.asha.account,
        customer_number="+919812300002",
        state=State.ACTIVE,
        launch_outcome=LaunchOutcome.EXTERNAL,
        created_at=timezone.now(),
    )
    poll(page, "/calls/live/", "#live-calls-list", "innerHTML")
    expect(announced(page)).to_have_text("2 calls in progress")

    page.goto(f"{live_server.url}/calls/?status=completed")
    page.locator(".calls-table tbody a").first.press("Enter")  # opens the side panel
    expect(announced(page)).to_have_text(re.compile(r"^\+91\d{10} Completed$"))

    page.goto(f"{live_server.url}/agents/")
    page.get_by_role("button", name="End of shift").press("Enter")  # nobody ticked
    expect(announced(page, "assertive")).to_have_text("Tick at least one agent first.")
