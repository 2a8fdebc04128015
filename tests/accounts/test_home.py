"""A supervisor's home: today's calls and the bulk edits that need them, of their own accounts only."""

from datetime import timedelta

from django.utils import timezone

from agents.models import Agent
from contacts.models import BulkEdit
from exoadmin.accounts.services import account_create_or_update
from tests.calls.conftest import make_call
from tests.contacts.conftest import checked_upload


def test_home_counts_agents_by_state_in_the_supervisors_accounts(client, supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    Agent.objects.create(account=exotel_account, name="Asha", availability="available")
    Agent.objects.create(account=exotel_account, name="Rahul", availability="busy")
    Agent.objects.create(account=elsewhere, name="Not theirs", availability="available")
    client.login(username=supervisor_login.username, password=supervisor_login.password)

    page = client.get("/").content.decode()

    assert "<strong>2</strong> agents" in page
    assert ">1 available</a>" in page and ">1 on a call</a>" in page and ">0 off</a>" in page


def test_home_counts_todays_calls_and_lists_bulk_edits_waiting(client, supervisor_login, exotel_account):
    exotel_account.members.add(supervisor_login.user)
    exotel_account.account_wide.add(supervisor_login.user)  # sees every team
    elsewhere = account_create_or_update(name="Other", account_sid="other", api_key="k", api_token="t", exophones=[])
    make_call(exotel_account)
    make_call(exotel_account, status="to_leg_unanswered", talk_time=None)
    midnight = timezone.localtime().replace(hour=0, minute=0, second=0, microsecond=0)
    make_call(exotel_account, created_at=midnight - timedelta(minutes=1))  # yesterday
    make_call(elsewhere)  # not theirs
    waiting = checked_upload(exotel_account, supervisor_login.user, ["sid", "tag"], [["a1", "vip"]])
    finished = checked_upload(exotel_account, supervisor_login.user, ["sid", "tag"], [["a2", "vip"]])
    BulkEdit.objects.filter(pk=finished.pk).update(state=BulkEdit.State.DONE, filename="finished.csv")
    theirs = checked_upload(elsewhere, supervisor_login.user, ["sid", "tag"], [["a3", "vip"]])
    BulkEdit.objects.filter(pk=theirs.pk).update(filename="theirs.csv")
    client.login(username=supervisor_login.username, password=supervisor_login.password)

    page = client.get("/").content.decode()

    assert '<strong data-testid="kpi-calls">2</strong>' in page
    assert '<strong data-testid="kpi-answer-rate">50.0 %</strong>' in page
    assert waiting.get_absolute_url() in page and "ready to review" in page
    assert "finished.csv" not in page and "theirs.csv" not in page
