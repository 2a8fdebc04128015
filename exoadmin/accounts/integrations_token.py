"""Keeping an account's integrations app token alive: Exotel's tokens die 90 days after issue, and with
them every phone/SIP switch. With the app's id and secret stored, exoadmin asks Exotel for a new token
RENEW_DAYS before the old one expires (beat, hourly); a refusal keeps the old token in use and is said
on /healthz with what to do, WARN_DAYS before the end at the latest."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import NoReturn

from django.db.models import Q
from django.utils import timezone

from exoadmin.accounts.clients import exotel_client
from exoadmin.accounts.models import ExotelAccount
from exoadmin.exotel import integrations
from exoadmin.exotel.errors import ExotelError
from exoadmin.exotel.ratelimit import Priority
from exoadmin.locks import integrations_token_lock
from exoadmin.refusals import Refused

log = logging.getLogger("exoadmin.accounts")

RENEW_DAYS = 21  # three weeks of hourly tries before the warning starts
WARN_DAYS = 14


def integrations_token_renew(*, account: ExotelAccount, priority: Priority = "interactive") -> ExotelAccount:
    """Ask Exotel for a new app token now and use it from the next request on; Refused (with Exotel's
    reason and request id, also stored for /healthz) when it cannot, the current token staying in use."""
    if not (account.integrations_app_id and account.integrations_app_secret):
        raise Refused("Set the integrations app id and app secret first: a new token is issued for them.")
    with integrations_token_lock(account.pk) as acquired:
        if not acquired:
            raise Refused("The app token is being renewed already (or Redis cannot say): try again in a minute.")
        try:
            issued = integrations.issue_app_token(
                exotel_client(account, priority=priority),
                account.integrations_app_id,
                account.integrations_app_secret,
            )
        except ExotelError as exc:
            _failed(account, exc)
    account.integrations_app_token = issued.token
    account.integrations_token_issued_at = timezone.now()
    account.integrations_token_renewal_error = ""
    account.save(update_fields=TOKEN_FIELDS)
    log.info(
        "integrations app token renewed for account %s",
        account.pk,
        extra={"account_id": account.pk, "request_id": issued.request_id},
    )
    return account


TOKEN_FIELDS = ["integrations_app_token", "integrations_token_issued_at", "integrations_token_renewal_error"]


def _failed(account: ExotelAccount, exc: ExotelError) -> NoReturn:
    reason = exc.user_message + (f" (Exotel request id {exc.request_id})" if exc.request_id else "")
    ExotelAccount.objects.filter(pk=account.pk).update(integrations_token_renewal_error=reason)
    account.integrations_token_renewal_error = reason
    log.warning(
        "integrations app token renewal refused for account %s: %s",
        account.pk,
        exc.user_message,
        extra={"account_id": account.pk, "request_id": exc.request_id, "http_status": exc.http_status},
    )
    raise Refused(f"Exotel did not renew the app token: {reason}. The current token stays in use.")


def tokens_due(now: datetime) -> list[ExotelAccount]:
    """Accounts that can renew (id and secret stored) and whose token ends within RENEW_DAYS or is of
    unknown age (pasted without an issue date)."""
    due = Q(integrations_token_issued_at__isnull=True) | Q(
        integrations_token_issued_at__lte=now - timedelta(days=90 - RENEW_DAYS)
    )
    return list(ExotelAccount.objects.exclude(integrations_app_id="").exclude(integrations_app_secret="").filter(due))


def integrations_tokens_renew_due() -> int:
    """Beat's hourly round: renew every due token; a refusal is stored and logged, and tried again next hour."""
    renewed = 0
    for account in tokens_due(timezone.now()):
        try:
            integrations_token_renew(account=account, priority="bulk")
        except Refused:
            continue  # stored on the account and logged with Exotel's request id
        renewed += 1
    return renewed


def token_warning(account: ExotelAccount, now: datetime) -> str:
    """What /healthz says of the account's app token ("" while all is well)."""
    if not account.integrations_app_token:
        return ""
    expires = account.integrations_token_expires_at
    failure = account.integrations_token_renewal_error
    if expires is None:
        if failure:
            return f"The last app token renewal failed: {failure}"
        if not account.integrations_app_secret:
            return (
                "When this app token was issued is unknown, and so when it expires: store the app secret in "
                "Django admin → Exotel accounts (exoadmin then renews it), or set the day it was issued."
            )
        return ""
    left = expires - now
    what_to_do = (
        f"renewal failed: {failure}. Fix the app id and secret in Django admin → Exotel accounts, then "
        "run “Renew the integrations app token now” on the account in Django admin's accounts list"
        if failure
        else "store the app secret in Django admin → Exotel accounts so exoadmin renews it, or paste a new token"
    )
    on = f"{timezone.localtime(expires):%d %b %Y}"
    if left <= timedelta(0):
        return f"The integrations app token expired on {on}: phone/SIP switches fail; {what_to_do}."
    if left <= timedelta(days=WARN_DAYS) or failure:
        return f"The integrations app token expires on {on} ({left.days} days); {what_to_do}."
    return ""
