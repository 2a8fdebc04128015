"""The daily report email: due at the person's local time, sent once a day however many runs race,
given back when sending fails; yesterday's figures against the day before, the calls missing an
outcome, a CSV per agent; and the settings page."""

import logging
import smtplib
import threading
from datetime import date, datetime, time, timedelta

import pytest
from django.conf import settings
from django.core import mail

from exoadmin.logs import RedactSecrets
from reports.daily_email import daily_email_message, daily_report
from reports.daily_email_delivery import daily_emails_send_due, due_now
from reports.models import DailyEmail
from reports.tasks import send_due_daily_emails


@pytest.fixture
def sunil(floor, supervisor_login):
    """The account-wide supervisor of the fixed floor, opted in at 08:00 (New York)."""
    user = supervisor_login.user
    user.email = "sunil@example.com"
    user.save()
    DailyEmail.objects.create(user=user, enabled=True)
    return supervisor_login


def set_daily_email(user, **fields):
    DailyEmail.objects.filter(user=user).update(**fields)


@pytest.mark.parametrize(
    ("fields", "due"),
    [
        ({}, True),  # 15:00 in New York is past 08:00, never sent
        ({"last_sent_on": date(2026, 12, 4)}, True),  # sent yesterday
        ({"last_sent_on": date(2026, 12, 5)}, False),  # sent today already
        ({"send_at": time(16, 0)}, False),  # not yet 16:00 in New York
        ({"enabled": False}, False),
    ],
)
def test_a_report_is_due_after_its_local_time_once_a_day(sunil, fields, due):
    set_daily_email(sunil.user, **fields)

    assert [item.daily_email.user for item in due_now()] == ([sunil.user] if due else [])


def test_a_person_who_left_or_is_no_longer_a_supervisor_gets_nothing(sunil):
    user = sunil.user
    user.groups.clear()
    assert due_now() == []
    user.is_staff, user.is_active = True, False  # an admin whose login was closed

    user.save()

    assert due_now() == []


def test_the_time_is_that_of_the_persons_account_not_the_servers(sunil, floor):
    floor.account.time_zone = "Asia/Kolkata"  # 20:00 UTC is already 01:30 on the 6th there
    floor.account.save()

    assert due_now() == []


def test_yesterday_against_the_day_before_with_the_calls_missing_an_outcome(sunil, floor):
    report = daily_report(sunil.user, floor.account, date(2026, 12, 4))

    headline = report.headline
    assert (headline.now.calls, headline.now.answered, headline.now.answer_rate, headline.now.average_talk) == (
        2,
        2,
        100.0,
        40.0,
    )
    assert (headline.before.calls, headline.before.answered, headline.before.average_talk) == (1, 0, None)
    assert [headline.calls_change.in_words, headline.answered_change.in_words] == ["+100 %", "new"]
    assert report.missing_outcomes == 1  # the 23:30 call; the 10:00 one is "Interested"
    (missing,) = report.missing_outcomes_listed
    assert (missing.placed_at, missing.agent) == ("23:30", "Asha Rao")  # New York's clock
    assert missing.link.startswith(f"{settings.EXOADMIN_PUBLIC_URL}/calls/")


def test_the_csv_has_one_row_per_agent(sunil, floor):
    report = daily_report(sunil.user, floor.account, date(2026, 12, 4))

    assert report.csv().splitlines() == [
        "agent,calls,answered,answer_rate_percent,average_talk_seconds",
        "Asha Rao,2,2,100.0,40.0",
        "Vikram Shah,0,0,,",  # had calls the day before
    ]


def test_beat_sends_the_report_to_the_mailbox_with_the_figures(sunil):
    assert settings.CELERY_BEAT_SCHEDULE["reports-daily-emails"] == {
        "task": "reports.tasks.send_due_daily_emails",
        "schedule": 60.0,
    }

    send_due_daily_emails.apply()

    (email,) = mail.outbox
    assert email.to == ["sunil@example.com"]
    assert email.subject == "Daily report for Acme: Fri 04 Dec 2026"
    assert "Calls placed:      2 (was 1, +100 %)" in email.body
    assert "Answer rate:       100.0 % (was 0.0 %, +100.0 pts)" in email.body
    assert "Answered calls missing an outcome: 1\n- 23:30 Asha Rao → +919812340000: http" in email.body
    html, kind = email.alternatives[0]
    assert kind == "text/html" and '<td align="right">+100 %</td>' in html
    name, content, mimetype = email.attachments[0]
    assert (name, mimetype) == ("calls-per-agent-2026-12-04.csv", "text/csv")
    assert "Asha Rao,2,2,100.0,40.0" in content
    assert DailyEmail.objects.get(user=sunil.user).last_sent_on == date(2026, 12, 5)
    send_due_daily_emails.apply()
    assert len(mail.outbox) == 1  # once a day


def test_two_runs_at_once_send_one_email(transactional_db, sunil):
    start = threading.Barrier(2)
    sent: list[int] = []

    def run():
        from django.db import connection

        start.wait()
        try:
            sent.append(daily_emails_send_due())
        finally:
            connection.close()

    runs = [threading.Thread(target=run) for _ in range(2)]
    for thread in runs:
        thread.start()
    for thread in runs:
        thread.join(timeout=30)

    assert sorted(sent) == [0, 1]
    assert len(mail.outbox) == 1


def test_a_failed_send_gives_the_day_back_and_says_so_in_the_log(sunil, monkeypatch, caplog):
    def refuse(self, fail_silently=False):
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr("django.core.mail.EmailMultiAlternatives.send", refuse)

    assert daily_emails_send_due() == 0

    assert DailyEmail.objects.get(user=sunil.user).last_sent_on is None
    assert "daily report email to user" in caplog.text and "tried again" in caplog.text
    monkeypatch.undo()
    assert daily_emails_send_due() == 1 and len(mail.outbox) == 1


def test_without_email_configured_nothing_is_claimed_and_the_page_says_why(client, sunil, settings):
    settings.EMAIL_MISSING = True

    assert daily_emails_send_due() == 0

    assert DailyEmail.objects.get(user=sunil.user).last_sent_on is None and mail.outbox == []
    client.force_login(sunil.user)
    page = client.get("/reports/daily-email/").content.decode()
    assert "Email is not set up on this server yet (EMAIL_URL): reports wait until an admin sets it" in page


def test_a_supervisor_turns_it_on_at_a_time_and_sees_what_it_contains(client, floor, supervisor_login):
    supervisor_login.user.email = "sunil@example.com"
    supervisor_login.user.save()
    client.force_login(supervisor_login.user)

    page = client.get("/reports/daily-email/").content.decode()
    response = client.post("/reports/daily-email/", {"enabled": "on", "send_at": "07:30"}, follow=True)

    assert "yesterday in <strong>Acme</strong> (America/New_York)" in page
    assert "The daily report is on: it is sent after 07:30." in response.content.decode()
    saved = DailyEmail.objects.get(user=supervisor_login.user)
    assert saved.enabled and saved.send_at == time(7, 30)


def test_without_an_email_address_it_cannot_be_turned_on(client, floor, supervisor_login):
    client.force_login(supervisor_login.user)

    response = client.post("/reports/daily-email/", {"enabled": "on", "send_at": "07:30"})

    assert response.status_code == 400
    assert "Your login has no email address: ask an admin to add one first." in response.content.decode()
    assert not DailyEmail.objects.filter(user=supervisor_login.user).exists()


def test_send_me_one_now_sends_yesterdays_report_apart_from_the_daily_one(client, sunil):
    client.force_login(sunil.user)

    response = client.post("/reports/daily-email/send/", follow=True)

    assert "Yesterday&#x27;s report was sent to sunil@example.com." in response.content.decode()
    assert [email.subject for email in mail.outbox] == ["Daily report for Acme: Fri 04 Dec 2026"]
    assert DailyEmail.objects.get(user=sunil.user).last_sent_on is None  # the daily one still goes


def test_the_smtp_password_never_reaches_a_log_line(settings, caplog):
    settings.EMAIL_HOST_PASSWORD = "hunter2-s3cret"
    record = logging.makeLogRecord(
        {"msg": "could not reach smtp+tls://reports:hunter2-s3cret@smtp.example.com:587 (%s)", "args": ("x",)}
    )

    RedactSecrets().filter(record)

    assert "hunter2" not in record.getMessage() and "smtp.example.com:587" in record.getMessage()


def test_the_demo_supervisors_get_the_daily_email(db):
    from exoadmin.accounts.demo import demo_data_create
    from reports.demo import demo_daily_emails_create

    demo_data_create()
    demo_daily_emails_create()
    demo_daily_emails_create()  # idempotent

    opted_in = DailyEmail.objects.filter(enabled=True, send_at=time(8, 0)).values_list("user__username", flat=True)
    assert sorted(opted_in) == ["sales-lead", "supervisor", "support-lead"]


def test_the_agents_with_the_least_time_available_come_first_with_their_timelines(sunil, floor):
    from agents.models import AgentState, StateInterval

    def available(agent, state, hour, seconds):
        start = datetime(2026, 12, 4, hour, tzinfo=floor.account.zone)
        StateInterval.objects.create(
            agent=agent,
            state=state,
            started_at=start,
            ended_at=start + timedelta(seconds=seconds),
            day=date(2026, 12, 4),
            seconds=seconds,
            changed_by="Sunil Menon",
        )

    available(floor.asha, AgentState.PHONE, 9, 3 * 3600)
    available(floor.asha, AgentState.SIP, 13, 3600)
    available(floor.asha, AgentState.OFF, 14, 5 * 3600)  # off counts for nothing
    available(floor.vikram, AgentState.BOTH, 9, 1800)
    available(floor.vikram, AgentState.PHONE, 3, 600)  # 03:00 on the 4th, New York's clock

    report = daily_report(sunil.user, floor.account, date(2026, 12, 4))

    assert [(row.agent, row.available) for row in report.least_available] == [
        ("Vikram Shah", "40 min"),
        ("Asha Rao", "4 h 00 min"),
    ]
    assert report.least_available[0].link.endswith(
        f"/reports/agents/{floor.vikram.pk}/timeline/?date_from=2026-12-04&date_to=2026-12-04"
    )
    body = daily_email_message(sunil.user, report).body
    assert "Least time available yesterday:\n- Vikram Shah: 40 min (http" in body
