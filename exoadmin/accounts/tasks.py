from celery import shared_task

from exoadmin.accounts import integrations_token


@shared_task
def bulk_integrations_tokens_renew() -> int:
    return integrations_token.integrations_tokens_renew_due()
