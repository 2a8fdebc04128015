"""/healthz says when the daily report emails cannot go out in production, before the first one fails,
and never shows the SMTP password."""

from tests.test_settings import PRODUCTION_ENV, manage

SHOW_CHECK = "from exoadmin.health.checks import check_email; c = check_email(); print(c.ok, c.detail)"


def test_production_without_email_url_fails_the_email_check_naming_what_is_missing():
    result = manage("shell", "--no-imports", "-c", SHOW_CHECK, env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("False Daily report emails cannot be sent. Missing: EMAIL_URL")
    assert "DEFAULT_FROM_EMAIL (the sender address)" in result.stdout


def test_production_with_smtp_names_the_server_but_not_the_password():
    env = PRODUCTION_ENV | {
        "EMAIL_URL": "smtp+tls://reports:hunter2-s3cret@smtp.example.com:587",
        "DEFAULT_FROM_EMAIL": "exoadmin <reports@example.com>",
    }

    result = manage("shell", "--no-imports", "-c", SHOW_CHECK, env=env)

    assert result.stdout.strip() == "True SMTP at smtp.example.com:587, from exoadmin <reports@example.com>"
    assert "hunter2" not in result.stdout + result.stderr


def test_development_prints_emails_in_the_log(client, db):
    response = client.get("/healthz?format=json")

    email = next(check for check in response.json()["checks"] if check["name"] == "email")
    assert email["ok"] is True
