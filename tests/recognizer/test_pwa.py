"""Installable on a phone: the web app manifest, its icons, and the service worker's list of files.

The browser side (the worker registering, the page opening offline) is tests/browser/test_installable.py.
"""
import json
import re
from pathlib import Path
from urllib.parse import urlparse

import pytest
from django.conf import settings
from django.contrib.staticfiles import finders
from django.core.management import call_command
from django.test import Client
from PIL import Image

from recognizer import pwa

HEX_COLOUR = re.compile(r"^#[0-9a-f]{6}$")
STATIC_ATTRIBUTE = re.compile(r'(?:src|href)="(/static/[^"]+)"')
MODULE_IMPORT = re.compile(r'from\s+"\./([^"]+)"')


def get(path: str, **headers):
    """No database: neither view reads it (a view that started to would fail here)."""
    return Client().get(path, **headers)


def static_name(url: str) -> str:
    path = urlparse(url).path
    assert path.startswith("/" + settings.STATIC_URL.lstrip("/")), url
    return path.removeprefix("/" + settings.STATIC_URL.lstrip("/"))


def sw_lists(body: str) -> dict:
    """VERSION, PAGES and ASSETS as the service worker script declares them."""
    version = re.search(r'^const VERSION = "([0-9a-f]+)";', body, re.M)
    pages = re.search(r"^const PAGES = (\[.*?\]);", body, re.M)
    assets = re.search(r"^const ASSETS = (\[.*?\]);", body, re.M)
    assert version and pages and assets, body[:600]
    return {"version": version[1], "pages": json.loads(pages[1]), "assets": json.loads(assets[1])}


# ---- manifest -------------------------------------------------------------------------------------


def test_manifest_is_served_as_a_web_app_manifest_with_what_an_install_needs():
    response = get("/manifest.webmanifest")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/manifest+json"
    manifest = json.loads(response.content)
    assert manifest["name"] and manifest["short_name"] == "Digits"
    assert len(manifest["short_name"]) <= 12  # fits under an icon on a home screen
    assert manifest["start_url"] == "/" and manifest["scope"] == "/"
    assert manifest["display"] == "standalone"
    for colours in (manifest, manifest["user_preferences"]["color_scheme_dark"]):
        assert HEX_COLOUR.match(colours["theme_color"]) and HEX_COLOUR.match(colours["background_color"])
    assert manifest["background_color"] != manifest["user_preferences"]["color_scheme_dark"]["background_color"]


def test_manifest_colours_are_the_page_backgrounds_of_both_schemes():
    css = (Path(settings.BASE_DIR) / "static/recognizer/style.css").read_text()
    light_bg = re.search(r":root \{[^}]*--bg: (#[0-9a-f]{6})", css)[1]
    dark_bg = re.search(r"prefers-color-scheme: dark\)[^{]*\{\s*:root \{[^}]*--bg: (#[0-9a-f]{6})", css)[1]
    manifest = json.loads(get("/manifest.webmanifest").content)

    assert manifest["background_color"] == light_bg
    assert manifest["user_preferences"]["color_scheme_dark"]["background_color"] == dark_bg


@pytest.mark.parametrize("purpose", ["any", "maskable"])
def test_manifest_icons_exist_at_192_and_512_pixels(purpose):
    icons = [icon for icon in json.loads(get("/manifest.webmanifest").content)["icons"] if icon["purpose"] == purpose]

    assert sorted(icon["sizes"] for icon in icons) == ["192x192", "512x512"]
    for icon in icons:
        path = finders.find(static_name(icon["src"]))
        assert path, f"{icon['src']} is not a static file"
        with Image.open(path) as image:
            assert image.format == "PNG" and icon["type"] == "image/png"
            assert f"{image.width}x{image.height}" == icon["sizes"]
            rgba = image.convert("RGBA")
            corner_alpha = rgba.getpixel((0, 0))[3]
            centre = rgba.getpixel((image.width // 2, image.height // 2))
        if purpose == "maskable":
            assert corner_alpha == 255, "a maskable icon must fill its square: launchers crop it"
        else:
            assert corner_alpha == 0, "the 'any' icon has rounded corners"
        assert centre[3] == 255


def test_icons_are_what_ops_make_icons_draws(tmp_path):
    """The committed PNGs can be rebuilt: the script draws the same pixels."""
    from ops import make_icons

    make_icons.main(["--out", str(tmp_path)])
    for name in make_icons.ICONS:
        committed = Image.open(make_icons.OUT_DIR / name).convert("RGBA")
        rebuilt = Image.open(tmp_path / name).convert("RGBA")
        assert committed.size == rebuilt.size
        assert committed.tobytes() == rebuilt.tobytes(), f"{name} differs from what ops/make_icons.py draws"


@pytest.mark.django_db
def test_the_page_links_the_manifest_theme_colours_and_the_touch_icon(client):
    html = client.get("/").content.decode()

    assert '<link rel="manifest" href="/manifest.webmanifest">' in html
    assert re.search(r'<meta name="theme-color" content="#[0-9a-f]{6}" media="\(prefers-color-scheme: light\)">', html)
    assert re.search(r'<meta name="theme-color" content="#[0-9a-f]{6}" media="\(prefers-color-scheme: dark\)">', html)
    touch_icon = re.search(r'<link rel="apple-touch-icon" href="([^"]+)">', html)[1]
    with Image.open(finders.find(static_name(touch_icon))) as image:
        assert image.size == (180, 180)
    assert 'data-sw-url="/sw.js"' in html


# ---- service worker -------------------------------------------------------------------------------


def test_service_worker_is_served_from_the_root_uncached_as_javascript():
    response = get("/sw.js")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    cache_control = response["Cache-Control"]
    assert "no-cache" in cache_control and "max-age=0" in cache_control
    assert response["Service-Worker-Allowed"] == "/"


@pytest.mark.django_db
def test_service_worker_keeps_every_file_the_page_loads(client):
    lists = sw_lists(get("/sw.js").content.decode())
    page_urls = set(STATIC_ATTRIBUTE.findall(client.get("/").content.decode()))
    manifest = json.loads(get("/manifest.webmanifest").content)

    assert lists["pages"] == ["/"]
    assert page_urls, "the page links no static file?"
    assert page_urls <= set(lists["assets"]), page_urls - set(lists["assets"])
    assert {icon["src"] for icon in manifest["icons"]} <= set(lists["assets"])
    for url in lists["assets"]:
        assert finders.find(static_name(url)), f"{url} is listed but is no static file"


def test_service_worker_keeps_every_module_the_scripts_import():
    assets = set(sw_lists(get("/sw.js").content.decode())["assets"])
    scripts = [url for url in assets if url.endswith(".js")]

    for url in scripts:
        source = Path(finders.find(static_name(url))).read_text()
        for module in MODULE_IMPORT.findall(source):
            assert f"/static/recognizer/{module}" in assets, f"{url} imports {module}, which would not load offline"


def test_service_worker_never_answers_posts_and_keeps_only_its_own_cache():
    body = get("/sw.js").content.decode()

    assert 'if (request.method !== "GET") return;' in body  # POSTs go to the network, untouched
    assert "/api/" not in body


def test_cache_version_changes_when_a_shell_file_changes(tmp_path, settings):
    extra = tmp_path / "recognizer" / "zz-extra.js"
    extra.parent.mkdir()
    extra.write_text("export const a = 1;\n")
    settings.STATICFILES_DIRS = [*settings.STATICFILES_DIRS, tmp_path]
    before = sw_lists(get("/sw.js").content.decode())
    assert "/static/recognizer/zz-extra.js" in before["assets"]

    extra.write_text("export const a = 2;\n")  # same name, new bytes: what development looks like
    after = sw_lists(get("/sw.js").content.decode())

    assert after["assets"] == before["assets"]
    assert after["version"] != before["version"]
    assert sw_lists(get("/sw.js").content.decode())["version"] == after["version"]  # stable otherwise


@pytest.mark.django_db
def test_with_hashed_static_names_the_worker_lists_the_hashed_files_the_page_loads(tmp_path, settings, client):
    """STATIC_MANIFEST on (production): the list comes from static(), so it names the collected files."""
    settings.STATIC_ROOT = tmp_path
    settings.STATICFILES_FINDERS = ["django.contrib.staticfiles.finders.FileSystemFinder"]  # ours only: quick
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.ManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--noinput", verbosity=0)

    assets = sw_lists(get("/sw.js").content.decode())["assets"]
    page_urls = set(STATIC_ATTRIBUTE.findall(client.get("/").content.decode()))

    assert len(assets) == len(pwa.shell_files())
    for url in assets:
        assert re.search(r"\.[0-9a-f]{12}\.(js|css|png)$", url), f"{url} is not a hashed name"
        assert (tmp_path / static_name(url)).is_file()
    assert page_urls <= set(assets)
