"""Reading a live stream as a browser would: logged in through the login form, events parsed as they come."""

import queue
import socket
import threading
from dataclasses import dataclass

import requests


@dataclass
class Event:
    name: str
    data: str


class StreamReader:
    """Opens `/live/stream/` as `login` and collects its events in a background thread."""

    def __init__(self, base_url: str, login, page: str = "board"):
        self.session = requests.Session()
        self.session.get(f"{base_url}/login/", timeout=5)
        self.session.post(
            f"{base_url}/login/",
            {"username": login.username, "password": login.password},
            headers={"X-CSRFToken": self.session.cookies["csrftoken"], "Referer": f"{base_url}/login/"},
            timeout=5,
        )
        if page == "board":  # as a browser does: the board is drawn, then its stream opens
            self.session.get(f"{base_url}/agents/", timeout=10)
        self.response = self.session.get(f"{base_url}/live/stream/", params={"page": page}, stream=True, timeout=10)
        self.events: queue.Queue[Event | None] = queue.Queue()
        self.opened = threading.Event()
        if self.response.status_code == 200:
            threading.Thread(target=self._read, daemon=True).start()
            assert self.opened.wait(5), "the stream never said it was open"

    def _read(self) -> None:
        name, data = "message", []
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line.startswith(": open"):
                    self.opened.set()
                elif line.startswith("event: "):
                    name = line.removeprefix("event: ")
                elif line.startswith("data: "):
                    data.append(line.removeprefix("data: "))
                elif line == "" and data:
                    self.events.put(Event(name, "\n".join(data)))
                    name, data = "message", []
        except requests.RequestException:
            pass
        self.events.put(None)  # the stream ended

    def next(self, timeout: float = 5.0) -> Event | None:
        return self.events.get(timeout=timeout)

    def quiet(self, seconds: float) -> bool:
        """True when no event (and no end) comes within `seconds`."""
        try:
            self.events.get(timeout=seconds)
        except queue.Empty:
            return True
        return False

    def until(self, name: str, timeout: float = 5.0, saying: str = "") -> Event:
        """The next event called `name` (whose data has `saying`), skipping others; fails if the stream
        ends or stays quiet (a change may send several events: its audit, then its new state)."""
        while True:
            event = self.next(timeout)
            assert event is not None, f"the stream ended before {name}"
            if event.name == name and saying in event.data:
                return event

    def names_until(self, name: str, timeout: float = 5.0) -> list[str]:
        names = []
        while True:
            event = self.next(timeout)
            assert event is not None, f"the stream ended before {name}"
            names.append(event.name)
            if event.name == name:
                return names

    def close(self) -> None:
        # As a browser leaving the page: the connection goes at once. response.close() alone waits for
        # the reading thread's blocked read, i.e. the stream's next keep-alive, up to 15 s.
        connection = getattr(self.response.raw, "_fp", None)
        sock = getattr(getattr(getattr(connection, "fp", None), "raw", None), "_sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass  # already closed by the server
        self.response.close()
        self.session.close()
