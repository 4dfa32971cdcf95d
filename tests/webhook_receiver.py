"""A real webhook receiver on loopback for tests: records every POST, can fail on purpose."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class Receiver:
    """Accepts JSON POSTs; answers `fail_statuses` in order first, then 200."""

    def __init__(self, fail_statuses: list[int] | None = None) -> None:
        self.fail_statuses = list(fail_statuses or [])
        self.accepted: list[dict[str, Any]] = []
        self.attempts = 0
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length", "0"))
                body = json.loads(self.rfile.read(length))
                receiver.attempts += 1
                status = receiver.fail_statuses.pop(0) if receiver.fail_statuses else 200
                if status == 200:
                    receiver.accepted.append(body)
                self.send_response(status)
                self.end_headers()

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def event_ids(self) -> list[int]:
        return [e["event_id"] for batch in self.accepted for e in batch["events"]]

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()
