"""Replays recorded responses on 127.0.0.1 with added latency, in a process of its own.

Why a separate process: the refresh benchmark measures the CPU time of the pipeline, so
the server must not share its interpreter (or its GIL). Why one port per source: each
source is a host of its own on the internet, and the fetcher paces per host:port.

Reads a JSON spec on stdin: ``{"latency": 0.05, "sites": {name: [route, ...]}}`` with a
route ``{"path", "query", "method", "file" | "body", "type", "rewrite"}`` (``query`` is a
set of ``k=v`` pairs that must all be present; the route with the most pairs wins;
``rewrite`` replaces strings in the body, ``@base`` standing for the site's own base URL).
Prints ``{name: port}`` as one JSON line once every site listens, then serves until stdin
closes. Every answer is delayed by ``latency`` and carries an ETag and a Last-Modified, and
conditional requests that match get 304, like a static file server; robots.txt allows all.
"""

from __future__ import annotations

import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

LAST_MODIFIED = "Tue, 01 Sep 2026 08:00:00 GMT"
ROBOTS = b"User-agent: *\nAllow: /\n"


class Route:
    def __init__(self, spec: dict[str, Any], base: str) -> None:
        self.path = spec["path"]
        self.method = (spec.get("method") or "").upper() or None
        self.query = parse_qs(spec.get("query") or "")
        body = Path(spec["file"]).read_bytes() if "file" in spec else spec.get("body", "").encode()
        for old, new in (spec.get("rewrite") or {}).items():
            body = body.replace(old.encode(), new.replace("@base", base).encode())
        self.body = body
        self.type = spec.get("type", "application/octet-stream")
        self.etag = '"' + hashlib.sha1(body, usedforsecurity=False).hexdigest()[:16] + '"'


class Site:
    def __init__(self, routes: list[dict[str, Any]], latency: float) -> None:
        self.latency = latency
        self.specs = routes
        self.routes: list[Route] = []
        self.requests = 0
        self.not_modified = 0
        self.lock = threading.Lock()

    def bind(self, base: str) -> None:
        self.routes = [Route(r, base) for r in self.specs]
        robots = {"path": "/robots.txt", "body": ROBOTS.decode(), "type": "text/plain"}
        self.routes.append(Route(robots, base))

    def find(self, method: str, target: str) -> Route | None:
        parts = urlsplit(target)
        got = parse_qs(parts.query)
        best: Route | None = None
        for route in self.routes:
            if route.path != parts.path or (route.method and route.method != method):
                continue
            matches = all(got.get(k) == v for k, v in route.query.items())
            if matches and (best is None or len(route.query) > len(best.query)):
                best = route
        return best


def handler_for(site: Site) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, format: str, *args: Any) -> None:
            pass

        def do_GET(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            if length:
                self.rfile.read(length)
            time.sleep(site.latency)
            route = site.find(self.command, self.path)
            with site.lock:
                site.requests += 1
            if route is None:
                body = b"no such page"
                self.send_response(404)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            inm = self.headers.get("If-None-Match")
            ims = self.headers.get("If-Modified-Since")
            fresh = (inm is not None and route.etag in inm) or (
                inm is None and ims == LAST_MODIFIED
            )
            status = 304 if fresh and self.command in ("GET", "HEAD") else 200
            self.send_response(status)
            self.send_header("ETag", route.etag)
            self.send_header("Last-Modified", LAST_MODIFIED)
            if status == 304:
                with site.lock:
                    site.not_modified += 1
                self.end_headers()
                return
            self.send_header("Content-Type", route.type)
            self.send_header("Content-Length", str(len(route.body)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(route.body)

        do_POST = do_HEAD = do_GET

    return Handler


class _Server(ThreadingHTTPServer):
    daemon_threads = True


def main() -> None:
    spec = json.loads(sys.stdin.readline())
    latency = float(spec.get("latency", 0.05))
    servers: dict[str, _Server] = {}
    sites: dict[str, Site] = {}
    for name, routes in spec["sites"].items():
        site = Site(routes, latency)
        server = _Server(("127.0.0.1", 0), handler_for(site))
        site.bind(f"http://127.0.0.1:{server.server_address[1]}")
        servers[name], sites[name] = server, site
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}).start()
    print(json.dumps({n: s.server_address[1] for n, s in servers.items()}), flush=True)
    for line in sys.stdin:  # "stats" asks for counters; EOF ends the server
        if line.strip() == "stats":
            counts = {n: [s.requests, s.not_modified] for n, s in sites.items()}
            print(json.dumps(counts), flush=True)
    for server in servers.values():
        server.shutdown()
        server.server_close()


if __name__ == "__main__":
    main()
