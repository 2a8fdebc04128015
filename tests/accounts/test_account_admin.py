from django.db import connection

from exoadmin.accounts.models import ExotelAccount

TOKEN = "acme-token-s3cret"
APP_TOKEN = "acme-app-token-s3cret"


def admin_client(client, admin_login):
    client.login(username=admin_login.username, password=admin_login.password)
    return client


def test_secrets_are_encrypted_at_rest(exotel_account):
    with connection.cursor() as cursor:
        cursor.execute("SELECT api_token, integrations_app_token FROM accounts_exotelaccount")
        stored = cursor.fetchone()

    assert TOKEN not in stored[0] and APP_TOKEN not in stored[1]
    assert ExotelAccount.objects.get().api_token == TOKEN


def test_account_admin_page_never_shows_secrets_back(client, admin_login, exotel_account):
    page = admin_client(client, admin_login).get(f"/admin/accounts/exotelaccount/{exotel_account.pk}/change/")

    html = page.content.decode()
    assert page.status_code == 200
    assert TOKEN not in html and APP_TOKEN not in html
    assert "Set — leave blank to keep it" in html


def test_saving_with_blank_secret_fields_keeps_the_stored_secrets(client, admin_login, exotel_account):
    form = {
        "name": "Acme renamed",
        "region": "mumbai",
        "account_sid": "acme",
        "api_key": "acme-key",
        "api_token": "",
        "integrations_customer_id": "acme-customer",
        "integrations_app_id": "acme-app",
        "integrations_app_token": "",
        "time_zone": "Asia/Kolkata",
        "exophones-TOTAL_FORMS": "0",
        "exophones-INITIAL_FORMS": "0",
    }
    response = admin_client(client, admin_login).post(
        f"/admin/accounts/exotelaccount/{exotel_account.pk}/change/", form
    )

    assert response.status_code == 302
    account = ExotelAccount.objects.get()
    assert (account.name, account.api_token, account.integrations_app_token) == ("Acme renamed", TOKEN, APP_TOKEN)


def test_adding_an_account_without_a_token_is_refused_with_a_message(client, admin_login):
    form = {
        "name": "New",
        "region": "singapore",
        "account_sid": "new",
        "api_key": "k",
        "api_token": "",
        "exophones-TOTAL_FORMS": "0",
        "exophones-INITIAL_FORMS": "0",
    }

    response = admin_client(client, admin_login).post("/admin/accounts/exotelaccount/add/", form)

    assert "An API token is required to talk to Exotel." in response.content.decode()
    assert not ExotelAccount.objects.exists()


def test_exophone_must_be_e164(client, admin_login, exotel_account):
    from django.core.exceptions import ValidationError

    from exoadmin.accounts.models import ExoPhone

    phone = ExoPhone(account=exotel_account, number="08030752400")
    try:
        phone.full_clean()
    except ValidationError as error:
        assert "not a valid phone number in E.164 form" in str(error)
    else:
        raise AssertionError("a local-format number was accepted")


def test_base_urls_follow_region_unless_the_environment_overrides(exotel_account, settings, sandbox):
    assert exotel_account.base_url("ccm") == sandbox.url

    settings.EXOTEL_CCM_BASE_URL = ""
    settings.EXOTEL_CONTACTS_BASE_URL = ""
    assert exotel_account.base_url("ccm") == "https://ccm-api.in.exotel.com"
    exotel_account.region = "singapore"
    assert exotel_account.base_url("contacts") == "https://api.exotel.com"
