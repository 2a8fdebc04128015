"""Sending the daily report: who opted in and when (settings), which are due now, and sending each
once per person per day however many beats or workers run at once.

Once a day is a claim: a conditional UPDATE moves `last_sent_on` to today only if it is still
earlier, and only the process whose UPDATE changed the row sends. A send that fails gives the claim
back (and is logged), so the next minute's run tries again; none is lost, none goes twice."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from exoadmin.accounts.models import ExotelAccount
from exoadmin.accounts.roles import GROUP_NAMES, Role
from exoadmin.refusals import Refused
from reports.daily_email import daily_email_message, daily_report, first_account, yesterday_in
from reports.models import DailyEmail

log = logging.getLogger("exoadmin.reports")


@dataclass(frozen=True)
class Due:
    daily_email: DailyEmail
    account: ExotelAccount
    today: date  # in the account's zone: the day the claim is for


def daily_email_settings(user) -> DailyEmail:
    """The person's settings (off, 08:00, until they change them)."""
    return DailyEmail.objects.filter(user=user).first() or DailyEmail(user=user)


def daily_email_update(*, user, enabled: bool, send_at: time) -> DailyEmail:
    daily_email, _ = DailyEmail.objects.update_or_create(user=user, defaults={"enabled": enabled, "send_at": send_at})
    return daily_email


def local_now(account: ExotelAccount | None) -> datetime:
    """Now where the person works: their first account's zone, else the server's."""
    zone = account.zone if account is not None else ZoneInfo(settings.TIME_ZONE)
    return timezone.localtime(timezone.now(), zone)


def due_now() -> list[Due]:
    """Enabled, past its local time today, not yet sent today, for active supervisors and admins (a
    person no longer one gets nothing); a person in no account has nothing to report."""
    supervising = Q(user__is_staff=True) | Q(user__groups__name=GROUP_NAMES[Role.SUPERVISOR])
    opted_in = DailyEmail.objects.filter(supervising, enabled=True, user__is_active=True).exclude(user__email="")
    due = []
    for daily_email in opted_in.distinct().select_related("user"):
        account = first_account(daily_email.user)
        now = local_now(account)
        sent_today = daily_email.last_sent_on is not None and daily_email.last_sent_on >= now.date()
        if account is not None and now.time() >= daily_email.send_at and not sent_today:
            due.append(Due(daily_email, account, now.date()))
    return due


def daily_emails_send_due() -> int:
    """Beat, every minute: sends the reports that are due; answers how many went."""
    due = due_now()
    if due and settings.EMAIL_MISSING:
        log.warning("%d daily report emails wait: EMAIL_URL is not set (see /healthz)", len(due))
        return 0
    return sum(_send_once(item) for item in due)


def _send_once(item: Due) -> bool:
    if not _claim(item):
        return False  # another run claimed it first
    user = item.daily_email.user
    try:
        daily_email_message(user, daily_report(user, item.account, yesterday_in(item.account))).send()
    except Exception:  # SMTP, network or anything else: give the day back so the next run retries
        _release(item)
        log.exception("daily report email to user %s not sent; it will be tried again", user.pk)
        return False
    log.info("daily report email sent", extra={"user_id": user.pk, "day": str(item.today)})
    return True


def _claim(item: Due) -> bool:
    not_sent_today = Q(last_sent_on__isnull=True) | Q(last_sent_on__lt=item.today)
    claimed = DailyEmail.objects.filter(not_sent_today, pk=item.daily_email.pk, enabled=True)
    return claimed.update(last_sent_on=item.today) == 1


def _release(item: Due) -> None:
    DailyEmail.objects.filter(pk=item.daily_email.pk, last_sent_on=item.today).update(
        last_sent_on=item.daily_email.last_sent_on
    )


def daily_email_send_now(*, user) -> str:
    """ "Send me one now": yesterday's report at once, apart from the daily one; answers the address."""
    account = first_account(user)
    if account is None:
        raise Refused("You are in no Exotel account: there is nothing to report.")
    if not user.email:
        raise Refused("Your login has no email address: ask an admin to add one first.")
    if settings.EMAIL_MISSING:
        raise Refused("Email is not set up on this server (EMAIL_URL): /healthz says what is missing.")
    try:
        daily_email_message(user, daily_report(user, account, yesterday_in(account))).send()
    except Exception as exc:  # SMTP or network: say so, keep the details in the log
        log.exception("daily report email to user %s not sent on request", user.pk)
        raise Refused(f"The mail server did not take the email ({type(exc).__name__}): try again later.") from exc
    return user.email
