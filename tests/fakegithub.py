"""A fake GitHub REST API on 127.0.0.1 that records every request (issues sync, nightly)."""

import json
import threading
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlsplit

TOKEN = "ghp_NietDelenGeheim0123456789"
REPO = "datapedia-vlaanderen/datapedia"


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: dict | None


class FakeGitHub:
    """Issues, comments and the calls that change them; pages of two to exercise `Link`."""

    def __init__(self, page_size: int = 2):
        self.page_size = page_size
        self.issues: dict[int, dict] = {}
        self.comments: dict[int, list[dict]] = {}
        self.requests: list[Recorded] = []
        self.fail_titles: set[str] = set()
        self.unassignable: set[str] = set()
        self.throttle: list[tuple[int, dict]] = []  # replies to send before the next write
        self._number = 0
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                fake.handle(self)

            do_POST = do_PATCH = do_GET

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, args=(0.05,), daemon=True).start()

    def add_issue(self, body: str, labels=("datapedia",), pull_request=False) -> int:
        self._number += 1
        issue = {
            "number": self._number,
            "title": f"bestaand #{self._number}",
            "body": body,
            "state": "open",
            "labels": [{"name": n} for n in labels],
            "assignees": [],
        }
        if pull_request:
            issue["pull_request"] = {"url": "x"}
        self.issues[self._number] = issue
        self.comments[self._number] = []
        return self._number

    def writes(self) -> list[Recorded]:
        return [r for r in self.requests if r.method != "GET"]

    def reply(self, handler, status: int, payload, headers=None):
        data = json.dumps(payload).encode()
        handler.send_response_only(status)
        if "Date" not in (headers or {}):  # a test may set the server's clock
            handler.send_header("Date", handler.date_time_string())
        handler.send_header("Content-Type", "application/json")
        handler.send_header("Content-Length", str(len(data)))
        for key, value in (headers or {}).items():
            handler.send_header(key, value)
        handler.end_headers()
        handler.wfile.write(data)

    def handle(self, handler):
        split = urlsplit(handler.path)
        length = int(handler.headers.get("Content-Length") or 0)
        body = json.loads(handler.rfile.read(length)) if length else None
        query = {k: v[0] for k, v in parse_qs(split.query).items()}
        with self._lock:
            self.requests.append(
                Recorded(handler.command, split.path, query, dict(handler.headers), body)
            )
            auth = handler.headers.get("Authorization", "")
            if auth != f"Bearer {TOKEN}":
                return self.reply(handler, 401, {"message": "Bad credentials"})
            parts = split.path.strip("/").split("/")
            if parts[:3] != ["repos", *REPO.split("/")] or parts[3] != "issues":
                return self.reply(handler, 404, {"message": "Not Found"})
            rest = parts[4:]
            if handler.command != "GET" and self.throttle:
                status, headers = self.throttle.pop(0)
                return self.reply(handler, status, {"message": "rate limit"}, headers)
            if handler.command == "GET" and not rest:
                return self.list_issues(handler, split.path, query)
            if handler.command == "POST" and not rest:
                return self.create(handler, body, auth)
            number = int(rest[0])
            if handler.command == "GET" and rest[1:] == ["comments"]:
                return self.page(handler, split.path, query, self.comments[number])
            if handler.command == "POST" and rest[1:] == ["comments"]:
                self.comments[number].append({"id": len(self.requests), "body": body["body"]})
                return self.reply(handler, 201, self.comments[number][-1])
            if handler.command == "PATCH" and not rest[1:]:
                if "labels" in body:
                    body = {**body, "labels": [{"name": n} for n in body["labels"]]}
                self.issues[number].update(body)
                return self.reply(handler, 200, self.issues[number])
            return self.reply(handler, 404, {"message": "Not Found"})

    def list_issues(self, handler, path, query):
        label = query.get("labels")
        found = [
            i
            for _, i in sorted(self.issues.items())
            if query.get("state", "open") in ("all", i["state"])
            and (not label or label in [n["name"] for n in i["labels"]])
        ]
        return self.page(handler, path, query, found)

    def page(self, handler, path, query, items):
        number = int(query.get("page", 1))
        start = (number - 1) * self.page_size
        headers = {}
        if start + self.page_size < len(items):
            following = urlencode({**query, "page": number + 1})
            headers["Link"] = f'<{self.url}{path}?{following}>; rel="next"'
        return self.reply(handler, 200, items[start : start + self.page_size], headers)

    def create(self, handler, body, auth):
        if any(t in body["title"] for t in self.fail_titles):
            # A careless server echoing credentials: the client must still not print them.
            return self.reply(handler, 500, {"message": f"boom for {auth}"})
        if set(body["assignees"]) & self.unassignable:
            return self.reply(handler, 422, {"message": "Validation Failed"})
        self._number += 1
        issue = {
            "number": self._number,
            "title": body["title"],
            "body": body["body"],
            "state": "open",
            "labels": [{"name": n} for n in body["labels"]],
            "assignees": [{"login": a} for a in body["assignees"]],
        }
        self.issues[self._number] = issue
        self.comments[self._number] = []
        return self.reply(handler, 201, issue)
