"""What a person sees when a request fails on our side: 503 with a reason while the database is
unavailable (it comes back by itself), else the generic 500 page. Wired as handler500, so it also
covers failures in middleware (sessions, auth) that a view's own handling never sees."""

import sys

from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string

RETRY_AFTER = 5  # seconds; PostgreSQL restarts in about that
DATABASE_DOWN = "The database is not answering right now. Try again in a few seconds."


def server_error(request: HttpRequest) -> HttpResponse:
    error = sys.exc_info()[1]
    if isinstance(error, (OperationalError, InterfaceError)):
        response = _unavailable(request)
        response["Retry-After"] = str(RETRY_AFTER)
        return response
    return HttpResponse(render_to_string("500.html"), status=500)


def _unavailable(request: HttpRequest) -> HttpResponse:
    if request.headers.get("HX-Request"):  # htmx shows it in the page's error banner (static/js/errors.js)
        return HttpResponse(DATABASE_DOWN, status=503, content_type="text/plain; charset=utf-8")
    return HttpResponse(render_to_string("503.html", {"reason": DATABASE_DOWN}), status=503)
