"""An admin in chromium stores the integrations app secret (never shown back), sees when the app token
expires, and renews it now from the accounts list; a refused renewal says what to do."""

import pytest
from playwright.sync_api import expect

from exoadmin.accounts.models import ExotelAccount
from tests.accounts.test_integrations_token import SECRET, sandbox_account
from tests.support.browser import log_in

pytestmark = pytest.mark.browser


@pytest.fixture
def exotel_knows_the_secret(sandbox, exotel_account):
    sandbox.control("POST", "/_sandbox/accounts", sandbox_account())
    return exotel_account


def _renew_from_the_list(page, url):
    page.goto(f"{url}/admin/accounts/exotelaccount/")
    page.get_by_role("checkbox", name="Select this object for an action - Acme").check()
    page.get_by_role("combobox", name="Action").select_option(label="Renew the integrations app token now")
    page.get_by_role("button", name="Go").click()


def test_an_admin_stores_the_secret_and_renews_the_token(page, live_server, admin_login, exotel_knows_the_secret):
    account = exotel_knows_the_secret
    log_in(page, live_server, admin_login)
    page.goto(f"{live_server.url}/admin/accounts/exotelaccount/{account.pk}/change/")
    expect(page.locator(".field-token_expiry")).to_contain_text("Unknown: set when the token was issued")

    page.get_by_label("Integrations app secret").fill("not-what-exotel-has")
    page.get_by_role("button", name="Save and continue editing").click()
    expect(page.locator(".messagelist")).to_contain_text("was changed successfully")
    assert SECRET not in page.content() and "not-what-exotel-has" not in page.content()

    _renew_from_the_list(page, live_server.url)
    expect(page.locator(".messagelist")).to_contain_text(
        "Acme: Exotel did not renew the app token: Exotel did not accept the integrations app id and secret"
    )
    expect(page.locator(".messagelist")).to_contain_text("The current token stays in use.")
    assert ExotelAccount.objects.get().integrations_app_token == "acme-app-token-s3cret"

    page.goto(f"{live_server.url}/admin/accounts/exotelaccount/{account.pk}/change/")
    page.get_by_label("Integrations app secret").fill(SECRET)
    page.get_by_role("button", name="Save and continue editing").click()
    _renew_from_the_list(page, live_server.url)
    expect(page.locator(".messagelist")).to_contain_text("Acme: a new app token is in use, valid 90 days.")

    page.goto(f"{live_server.url}/admin/accounts/exotelaccount/{account.pk}/change/")
    expect(page.locator(".field-token_expiry")).to_contain_text("(89 days)")
    expect(page.locator(".field-integrations_token_renewal_error")).not_to_contain_text("did not accept")
    page.screenshot(path="/tmp/integrations-token-admin.png", full_page=True)
    assert ExotelAccount.objects.get().integrations_app_token != "acme-app-token-s3cret"
