"""The product served by uvicorn (the ASGI server it runs under), in a thread of the test process.

Django's own live server speaks WSGI, where a live stream cannot stay open; this one serves pages and
streams exactly as `make run` and production do, on the test database and this session's Redis.
"""

import threading
from dataclasses import dataclass

import uvicorn
from django.core.asgi import get_asgi_application

from tests.support.processes import free_port, wait_until


@dataclass
class AsgiServer:
    url: str
    server: uvicorn.Server
    thread: threading.Thread

    @classmethod
    def start(cls) -> "AsgiServer":
        port = free_port()
        config = uvicorn.Config(
            get_asgi_application(),
            host="127.0.0.1",
            port=port,
            lifespan="off",
            log_level="warning",
            timeout_graceful_shutdown=1,
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, name="asgi-server", daemon=True)
        thread.start()
        wait_until(lambda: server.started, timeout=15, what="uvicorn to start")
        return cls(f"http://127.0.0.1:{port}", server, thread)

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
