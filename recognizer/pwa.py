"""Installable on a phone: the web app manifest and the service worker, both served from the site root.

`/sw.js` must live at the root for its scope to be the whole site. Its list of files to keep offline
(the page shell) is built here from `static()`, so it names the hashed files when STATIC_MANIFEST is on
and the plain ones in development; its cache version is a hash of those URLs and the files' bytes, so
any change to the shell installs a new worker that replaces the old cache.
"""
import hashlib
import json
import os
from functools import lru_cache

from django.contrib.staticfiles import finders
from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.templatetags.static import static
from django.urls import reverse
from django.utils.translation import get_language, gettext_lazy as _
from django.views.decorators.cache import cache_control, never_cache
from django.views.decorators.http import require_safe

# In the request's language (the manifest's "lang" says which); the short name is the brand.
NAME = _("Digits — handwritten digit recognition")
SHORT_NAME = "Digits"
DESCRIPTION = _("Draw a digit or write a number and see what a neural network reads, and how sure it is.")
# The page's own background (--bg in static/recognizer/style.css), light and dark.
LIGHT = {"background_color": "#f4f5f9", "theme_color": "#f4f5f9"}
DARK = {"background_color": "#0e1016", "theme_color": "#0e1016"}
ICONS = [  # (static name, size, purpose); drawn by ops/make_icons.py
    ("recognizer/icons/icon-192.png", 192, "any"),
    ("recognizer/icons/icon-512.png", 512, "any"),
    ("recognizer/icons/icon-maskable-192.png", 192, "maskable"),
    ("recognizer/icons/icon-maskable-512.png", 512, "maskable"),
]
SHELL_PREFIX = "recognizer/"  # the page's own static files...
SHELL_SUFFIXES = (".js", ".css", ".png")  # ...of these kinds; sw.js is a template, not a static file
MANIFEST_TYPE = "application/manifest+json"


@require_safe
@cache_control(max_age=3600)
def manifest(request):
    start = reverse("recognizer:index")
    body = {
        "id": start,
        "name": str(NAME),
        "short_name": SHORT_NAME,
        "description": str(DESCRIPTION),
        "lang": get_language(),
        "start_url": start,
        "scope": start,
        "display": "standalone",
        "orientation": "any",
        **LIGHT,
        # Chromium's proposal for the dark scheme; browsers that don't know it ignore it, and the
        # page's theme-color metas (templates/base.html) cover both schemes anyway.
        "user_preferences": {"color_scheme_dark": DARK},
        "icons": [
            {"src": static(name), "sizes": f"{size}x{size}", "type": "image/png", "purpose": purpose}
            for name, size, purpose in ICONS
        ],
    }
    return JsonResponse(body, content_type=MANIFEST_TYPE, json_dumps_params={"ensure_ascii": False, "indent": 2})


@require_safe
@never_cache  # the browser must see a new worker as soon as the shell changes
def service_worker(request):
    pages = [reverse("recognizer:index")]
    assets = [static(name) for name in shell_files()]
    script = render_to_string(
        "pwa/sw.js",
        {
            "version": shell_version(tuple(pages + assets), tuple(shell_files())),
            "pages": json.dumps(pages),
            "assets": json.dumps(assets),
        },
    )
    response = HttpResponse(script, content_type="text/javascript; charset=utf-8")
    response["Service-Worker-Allowed"] = "/"
    return response


def shell_files() -> list[str]:
    """The static names of the page's scripts, stylesheets and icons, sorted."""
    names = set()
    for finder in finders.get_finders():
        for path, _storage in finder.list([]):
            name = path.replace("\\", "/")
            if name.startswith(SHELL_PREFIX) and name.endswith(SHELL_SUFFIXES):
                names.add(name)
    return sorted(names)


def shell_version(urls: tuple[str, ...], names: tuple[str, ...]) -> str:
    """A short hash of the shell's URLs and its files' bytes: unhashed development names change it too."""
    digest = hashlib.sha256("\n".join(urls).encode())
    for name in names:
        path = finders.find(name)
        if path:
            digest.update(_file_digest(path, os.stat(path).st_mtime_ns))
    return digest.hexdigest()[:16]


@lru_cache(maxsize=256)
def _file_digest(path: str, mtime_ns: int) -> bytes:
    """The file's sha256, read again only when its modification time changes."""
    with open(path, "rb") as file:
        return hashlib.sha256(file.read()).digest()
