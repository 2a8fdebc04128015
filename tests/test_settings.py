import json
import logging
import os
import subprocess
import sys

from tests.support.processes import ROOT

PRODUCTION_ENV = {
    "EXOADMIN_ENV": "production",
    "SECRET_KEY": "x" * 64 + "-production-secret-for-the-check",
    "ALLOWED_HOSTS": "exoadmin.example.com",
    "EXOADMIN_PUBLIC_URL": "https://exoadmin.example.com",
    "EXOTEL_WEBHOOK_TOKEN": "w" * 40,
    "FIELD_ENCRYPTION_KEYS": "aW0tYS0zMi1ieXRlLWtleS1mb3ItdGhlLXRlc3RzLTAxMjM=",
    "DATABASE_URL": "sqlite:////tmp/exoadmin-deploy-check.sqlite3",
}


def manage(*args, env):
    inherited = ("DATABASE_URL", "EXOADMIN_ENV", "DJANGO_ALLOW_ASYNC_UNSAFE")  # set for the browser tests
    clean = {k: v for k, v in os.environ.items() if k not in inherited}
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True, timeout=60
    )


def test_production_settings_pass_the_deploy_check():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr + result.stdout


def test_production_refuses_to_start_without_its_secrets():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "SECRET_KEY"}

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECRET_KEY must be set when EXOADMIN_ENV=production" in result.stderr


def test_logs_are_json_lines_without_credentials(settings):
    from exoadmin.logs import JsonFormatter, RedactSecrets

    record = logging.makeLogRecord(
        {
            "name": "exoadmin.exotel",
            "levelno": logging.INFO,
            "levelname": "INFO",
            "msg": "GET https://key:tok3n@ccm-api.exotel.com/x Authorization: Basic a2V5OnRvazNu",
            "url": f"/exotel/webhook/{settings.EXOTEL_WEBHOOK_TOKEN}/",
        }
    )
    RedactSecrets().filter(record)
    line = json.loads(JsonFormatter().format(record))

    assert "tok3n" not in line["msg"] and "a2V5OnRvazNu" not in line["msg"]
    assert settings.EXOTEL_WEBHOOK_TOKEN not in line["url"]
    assert line["logger"] == "exoadmin.exotel"


def test_demo_data_is_idempotent_and_prints_the_logins(db):
    from io import StringIO

    from django.contrib.auth.models import User
    from django.core.management import call_command

    out = StringIO()
    call_command("demo_data", stdout=out)
    call_command("demo_data", stdout=StringIO())

    assert User.objects.count() == 6  # admin, the account-wide supervisor, two team leads, two agents
    assert "supervisor / exoadmin-supervisor" in out.getvalue()
    assert (
        "sales-lead / exoadmin-supervisor" in out.getvalue() and "support-lead / exoadmin-supervisor" in out.getvalue()
    )
