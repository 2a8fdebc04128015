"""The production set-up in deploy/ runs as documented."""

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from django.conf import settings

from tests.support.processes import ROOT
from tests.test_settings import PRODUCTION_ENV, manage


def test_gunicorn_accepts_the_production_config():
    gunicorn = Path(sys.executable).with_name("gunicorn")

    result = subprocess.run(
        [str(gunicorn), "--check-config", "-c", "deploy/gunicorn.conf.py", "exoadmin.asgi:application"],
        cwd=ROOT,
        env={**PRODUCTION_ENV, "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode == 0, result.stderr


def test_collectstatic_serves_hashed_files_in_production(tmp_path):
    result = manage("collectstatic", "--noinput", "-v", "0", env=PRODUCTION_ENV)

    assert result.returncode == 0, result.stderr
    assert list((ROOT / "static-collected" / "css").glob("exoadmin.*.css"))


@pytest.mark.skipif(
    not settings.DATABASES["default"]["ENGINE"].endswith("postgresql") or not shutil.which("pg_dump"),
    reason="database backups are PostgreSQL dumps; CI runs this on PostgreSQL",
)
def test_backup_script_writes_a_restorable_dump(transactional_db, exotel_account, tmp_path):
    from tests.conftest import _database_url

    result = subprocess.run(
        ["deploy/backup-db"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={"PATH": "/usr/bin:/bin", "DATABASE_URL": _database_url(), "BACKUP_DIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    dump = next(tmp_path.glob("exoadmin-*.dump"))
    listing = subprocess.run(["pg_restore", "--list", str(dump)], capture_output=True, text=True).stdout
    assert "accounts_exotelaccount" in listing


def _metric_names(text: str) -> set[str]:
    """The product's metric names a dashboard query or alert rule reads, without Prometheus' suffixes."""
    return {re.sub(r"_(total|bucket|count|sum)$", "", name) for name in re.findall(r"exoadmin_[a-z_]+", text)}


def test_the_grafana_dashboard_and_alert_rules_read_only_metrics_the_product_exports():
    exported = (ROOT / "exoadmin/metrics.py").read_text() + (ROOT / "exoadmin/health/scrape.py").read_text()
    dashboard = json.loads((ROOT / "deploy/grafana-dashboard.json").read_text())
    queries = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])
    alerts = (ROOT / "deploy/prometheus-alerts.yml").read_text()

    for name in _metric_names(queries) | _metric_names(alerts):
        assert f'"{name}"' in exported, f"{name} is not a metric of exoadmin/metrics.py or exoadmin/health/scrape.py"


def test_the_alert_rules_load_as_prometheus_rule_groups():
    rules = yaml.safe_load((ROOT / "deploy/prometheus-alerts.yml").read_text())["groups"][0]["rules"]

    assert {rule["alert"] for rule in rules} >= {
        "ExotelErrorRateHigh",
        "ExotelBudgetExhausted",
        "CallbackInboxGrowing",
        "WorkerHeartbeatLost",
        "DependencyBreakerOpen",
    }
    assert all(rule["expr"] and rule["annotations"]["summary"] for rule in rules)


def test_every_metric_the_product_exports_is_charted_on_the_dashboard():
    exported = (ROOT / "exoadmin/metrics.py").read_text() + (ROOT / "exoadmin/health/scrape.py").read_text()
    dashboard = json.loads((ROOT / "deploy/grafana-dashboard.json").read_text())
    queries = " ".join(target["expr"] for panel in dashboard["panels"] for target in panel["targets"])

    assert _metric_names(exported) - _metric_names(queries) == set()
