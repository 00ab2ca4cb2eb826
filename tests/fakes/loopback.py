"""A loopback HTTP server for API doubles: routes (method, path regex) to handlers returning (status, body).
Every request is recorded, so tests can assert what the client really sent."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

Handler = Callable[["Request"], tuple[int, object]]


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    body: object
    match: re.Match


@dataclass
class LoopbackApi:
    routes: list[tuple[str, re.Pattern, Handler]] = field(default_factory=list)
    requests: list[Request] = field(default_factory=list)

    def route(self, method: str, pattern: str, handler: Handler) -> None:
        self.routes.append((method, re.compile(pattern), handler))

    def __enter__(self) -> LoopbackApi:
        api = self

        class _Handler(BaseHTTPRequestHandler):
            def _serve(self):
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                try:
                    body = json.loads(raw) if raw else None
                except ValueError:
                    body = raw.decode(errors="replace")
                path = self.path.split("?", 1)[0]
                for method, pattern, handler in api.routes:
                    match = pattern.fullmatch(path)
                    if method == self.command and match:
                        request = Request(self.command, self.path, dict(self.headers), body, match)
                        api.requests.append(request)
                        status, payload = handler(request)
                        break
                else:
                    status, payload = 404, {"errors": [f"no route for {self.command} {path}"]}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _serve  # noqa: N815

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
