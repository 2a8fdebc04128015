"""Which recording links the proxy may fetch: Exotel's recording storage over https, and in
development the configured sandbox; the reason for a refusal names the host, never the URL."""

import os
import subprocess
import sys

import pytest

from calls.recording_hosts import url_refusal
from tests.support.processes import ROOT

STORAGE = "https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings"


@pytest.mark.parametrize(
    "url",
    [
        f"{STORAGE}/Exotel/0ed3bd4755078e1f9f64d2de75ce16b3.mp3",  # seed 002's own example
        f"{STORAGE}/Exotel/x.mp3?X-Amz-Signature=abc&X-Amz-Expires=300",
        "https://S3-AP-SOUTH-1.amazonaws.com:443/exotel-mum1-recordings/x.mp3",
        "https://exotel-mum1-recordings.s3.ap-south-1.amazonaws.com/Exotel/x.mp3",
    ],
)
def test_exotels_recording_storage_is_allowed(url):
    assert url_refusal(url) == ""


def test_the_configured_sandbox_is_allowed_in_development(sandbox):
    assert url_refusal(f"{sandbox.url}/recordings/abc.wav?signature=s3cret") == ""


def test_the_sandbox_is_not_trusted_in_production(settings, sandbox):
    settings.PRODUCTION = True

    assert (
        url_refusal(f"{sandbox.url}/recordings/abc.wav")
        == f"127.0.0.1:{sandbox.port} is not one of Exotel's recording storage locations"
    )


@pytest.mark.parametrize(
    "url, reason",
    [
        (
            "http://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/x.mp3",
            "the link to s3-ap-south-1.amazonaws.com is not https",
        ),
        ("https://s3-ap-south-1.amazonaws.com/someone-elses-bucket/x.mp3", "not one of Exotel's recording storage"),
        (
            "https://s3-ap-south-1.amazonaws.com/exotel-mum1-recordings-evil/x.mp3",
            "not one of Exotel's recording storage",
        ),
        (f"{STORAGE}/../someone-elses-bucket/x.mp3", "not one of Exotel's recording storage"),
        (f"{STORAGE}/%2e%2e/someone-elses-bucket/x.mp3", "not one of Exotel's recording storage"),
        (f"{STORAGE}/..%2fsomeone-elses-bucket/x.mp3", "climbs out of its folder"),
        ("https://s3-ap-south-1.amazonaws.com:8443/exotel-mum1-recordings/x.mp3", "amazonaws.com:8443 is not"),
        ("https://s3-ap-south-1.amazonaws.com@127.0.0.1/exotel-mum1-recordings/x.mp3", "carries a user name"),
        ("https://127.0.0.1\\@s3-ap-south-1.amazonaws.com/exotel-mum1-recordings/x.mp3", "not one of"),
        ("http://169.254.169.254/latest/meta-data/", "169.254.169.254 is not one of"),
        ("http://127.0.0.1:6379/", "127.0.0.1:6379 is not one of"),
        ("http://localhost:8001/recordings/x.wav", "localhost:8001 is not one of"),
        ("https://[::1]/x.mp3", "::1 is not one of"),
        ("file:///etc/passwd", "the link has no host"),
        ("not a link", "not a valid URL"),
    ],
)
def test_other_links_are_refused_with_a_reason_that_names_only_the_host(url, reason):
    refusal = url_refusal(url + "?signature=s3cret")

    assert reason in refusal and "s3cret" not in refusal


def test_the_allowed_list_is_a_setting(settings):
    settings.EXOTEL_RECORDING_URL_PREFIXES = ["https://recordings.example.com/exotel"]

    assert url_refusal("https://recordings.example.com/exotel/x.mp3") == ""
    assert url_refusal("https://recordings.example.com/exotel-other/x.mp3") != ""  # a folder, not a string prefix
    assert url_refusal(f"{STORAGE}/x.mp3") != ""


def test_a_plain_http_prefix_stops_the_server_from_starting():
    env = {**os.environ, "EXOTEL_RECORDING_URL_PREFIXES": "http://recordings.example.com/"}
    result = subprocess.run(
        [sys.executable, "-c", "import exoadmin.settings"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0 and "EXOTEL_RECORDING_URL_PREFIXES" in result.stderr
