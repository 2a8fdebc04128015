"""The pieces of pages a stream pushes as HTML, each rendered once for every screen that shows it.

They render the same partials the pages render (a pushed row is the row a reload would show), with
no request: what differs per request there is only the CSRF token of no-JavaScript forms, and a
pushed fragment only ever reaches a page running JavaScript (htmx sends the token in a header).
"""

from __future__ import annotations

from django.db import close_old_connections
from django.template.loader import render_to_string

from agents import selectors as agent_selectors
from calls import selectors as call_selectors

_NO_REQUEST = {"csrf_token": "NOTPROVIDED"}  # forms render without their hidden token field


def board_row(agent_id: int) -> str:
    close_old_connections()  # this runs outside any request: drop a connection the database closed
    agent = agent_selectors.board_row_pushed(agent_id)
    if agent is None:
        return ""  # deleted since: the row stays until the page next reloads its table
    return render_to_string("agents/board.html#row", {**_NO_REQUEST, "agent": agent})


def board_counts(user) -> str:
    close_old_connections()
    return render_to_string("agents/board.html#summary", {"summary": agent_selectors.board_counts(user)})


def calls_now(user) -> str:
    close_old_connections()
    return render_to_string("calls/_live_calls_list.html", {"calls": call_selectors.live_calls(user)})
