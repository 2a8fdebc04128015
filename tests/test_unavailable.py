"""What a request that fails on our side answers (exoadmin/unavailable.py, Django's handler500)."""

from django.db import OperationalError

from exoadmin.unavailable import DATABASE_DOWN, server_error


def answer_to(rf, error, **headers):
    request = rf.get("/agents/", headers=headers)
    try:
        raise error
    except Exception:
        return server_error(request)


def test_the_database_away_is_a_503_that_says_so_and_when_to_try_again(rf):
    page = answer_to(rf, OperationalError("connection refused"))
    assert page.status_code == 503 and page["Retry-After"] == "5"
    assert DATABASE_DOWN in page.content.decode()

    fragment = answer_to(rf, OperationalError("server closed the connection"), hx_request="true")
    assert fragment.status_code == 503 and fragment["Content-Type"].startswith("text/plain")
    assert fragment.content.decode() == DATABASE_DOWN, "htmx shows it as is in the page's error banner"


def test_any_other_failure_is_the_plain_500_page(rf):
    page = answer_to(rf, KeyError("a bug"))
    assert page.status_code == 500 and "Something went wrong on our side" in page.content.decode()
    assert "Retry-After" not in page
