"""Celery tasks: thin wrappers over the reports' services."""

from celery import shared_task

from reports.daily_email_delivery import daily_emails_send_due


@shared_task
def send_due_daily_emails() -> None:
    """Beat, every minute: the daily report emails whose local time has come."""
    daily_emails_send_due()
