"""A staff member signed in to the Django admin of a running server, over real HTTP: GET and POST with the
session cookie and the CSRF token, as a browser sends them. Used by ops.jobs_responsiveness and the job tests."""
import re
from http.cookiejar import CookieJar
from urllib.parse import urlencode
from urllib.request import HTTPCookieProcessor, Request, build_opener


class AdminSession:
    """Signs in at `base` + /admin/login/ with `username` and `password`; `base` may change later (the same
    database's sessions are valid on another server with the same SECRET_KEY)."""

    def __init__(self, base: str, username: str, password: str):
        self.base, self.cookies = base, CookieJar()
        self.opener = build_opener(HTTPCookieProcessor(self.cookies))
        page = self.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        self.post("/admin/login/", {"username": username, "password": password, "csrfmiddlewaretoken": token,
                                    "next": "/admin/"})
        if not any(c.name == "sessionid" for c in self.cookies):
            raise RuntimeError(f"admin login as {username!r} failed")

    def get(self, path: str) -> str:
        with self.opener.open(self.base + path, timeout=30) as response:
            return response.read().decode()

    def post(self, path: str, data: dict | None = None) -> tuple[str, str]:
        """(final URL after redirects, its page); the form carries the CSRF cookie's token."""
        token = next(c.value for c in self.cookies if c.name == "csrftoken")
        body = urlencode({"csrfmiddlewaretoken": token, **(data or {})}).encode()
        request = Request(self.base + path, data=body, headers={"Referer": self.base + "/admin/"})
        with self.opener.open(request, timeout=30) as response:
            return response.geturl(), response.read().decode()
