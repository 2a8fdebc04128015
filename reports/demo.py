"""Demo data: the demo supervisors get the daily report email (printed in `make run`'s log at 08:00)."""

from django.contrib.auth.models import User

from exoadmin.accounts.demo import ACCOUNT_WIDE, TEAM_LEADS
from reports.models import DailyEmail


def demo_daily_emails_create() -> str:
    usernames = [ACCOUNT_WIDE, *TEAM_LEADS.values()]
    for user in User.objects.filter(username__in=usernames):
        DailyEmail.objects.get_or_create(user=user, defaults={"enabled": True})
    return f"Daily report email on for: {', '.join(usernames)} (sent after 08:00 local time)"
