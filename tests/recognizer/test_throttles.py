"""Throttles on the cache every server shares (Redis, with REDIS_URL) and on the file cache one server's
workers share: anonymous clients per address, signed-in users who are not staff per account at their own
higher rate, staff never.

Redis is the machine's (127.0.0.1:6379, as on CI), database 15, flushed before and after each test.
"""
import base64
import logging
import os
import subprocess
import sys
from pathlib import Path

import pytest
import redis
from rest_framework.test import APIClient

from digitsite.caches import FILE_CACHE, KEY_PREFIX, MEMORY_CACHE, REDIS_CACHE, cache_config
from recognizer.models import Drawing

pytestmark = pytest.mark.django_db

REPO = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/15"
NOBODY_LISTENS = "redis://127.0.0.1:9/0"  # the discard port: connection refused at once
ANON_RATE, USER_RATE = 2, 4


@pytest.fixture
def redis_db():
    """Database 15 of the machine's Redis, empty; fails (never skips) when Redis does not answer."""
    connection = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2)
    try:
        connection.flushdb()
    except redis.ConnectionError as err:
        pytest.fail(f"Redis at {REDIS_URL} does not answer ({err}); these tests need it")
    yield connection
    connection.flushdb()
    connection.close()


@pytest.fixture
def redis_cache(settings, redis_db):
    settings.CACHES = cache_config(redis_url=REDIS_URL)
    return redis_db


@pytest.fixture
def file_cache(settings, tmp_path):
    settings.CACHES = cache_config(cache_dir=str(tmp_path / "cache"))


@pytest.fixture(params=["redis_cache", "file_cache"])
def shared_cache(request):
    """Each throttle test runs on both caches a deployment shares."""
    request.getfixturevalue(request.param)
    return request.param


@pytest.fixture
def rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"predict": f"{ANON_RATE}/min", "user_predict": f"{USER_RATE}/min"},
    }


@pytest.fixture
def predict(digit_image):
    body = {"image": base64.b64encode(digit_image(1)).decode()}

    def post(client: APIClient, times: int) -> list[int]:
        return [client.post("/api/predictions/", body, format="json").status_code for _ in range(times)]

    return post


def signed_in(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_anonymous_clients_get_the_anonymous_rate(shared_cache, rates, predict):
    assert predict(APIClient(), ANON_RATE + 2) == [201] * ANON_RATE + [429, 429]
    assert Drawing.objects.count() == ANON_RATE


def test_signed_in_users_get_their_own_higher_rate(shared_cache, rates, predict, django_user_model):
    visitor = django_user_model.objects.create_user("visitor")

    assert predict(signed_in(visitor), USER_RATE + 1) == [201] * USER_RATE + [429]


def test_each_signed_in_user_has_a_budget_apart_from_others_and_from_the_address(shared_cache, rates, predict, django_user_model):
    first, second = (django_user_model.objects.create_user(name) for name in ("first", "second"))
    assert predict(signed_in(first), USER_RATE + 1)[-1] == 429

    assert predict(signed_in(second), 1) == [201]
    assert predict(APIClient(), 1) == [201]  # the same address, anonymous


def test_staff_are_never_throttled(shared_cache, rates, predict, staff_user):
    assert predict(signed_in(staff_user), USER_RATE + 2) == [201] * (USER_RATE + 2)


def test_an_empty_user_rate_leaves_signed_in_users_unthrottled(settings, file_cache, predict, django_user_model):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {"predict": "1/min", "user_predict": None}}
    visitor = django_user_model.objects.create_user("visitor")

    assert predict(signed_in(visitor), 3) == [201, 201, 201]


def test_with_redis_the_counters_live_in_redis_for_every_server(redis_cache, rates, predict, django_user_model):
    predict(APIClient(), 1)
    predict(signed_in(django_user_model.objects.create_user("visitor")), 1)

    keys = sorted(key.decode() for key in redis_cache.keys(f"{KEY_PREFIX}:*"))
    assert [key.split(":", 2)[2].rsplit("_", 1)[0] for key in keys] == ["throttle_predict", "throttle_user_predict"]


def test_when_redis_is_down_predictions_go_on_unthrottled_and_the_failure_is_logged(settings, rates, predict, caplog):
    settings.CACHES = cache_config(redis_url=NOBODY_LISTENS)
    caplog.set_level(logging.ERROR, logger="django_redis.cache")

    assert predict(APIClient(), ANON_RATE + 1) == [201] * (ANON_RATE + 1)
    assert any(record.name == "django_redis.cache" for record in caplog.records)


@pytest.mark.parametrize("redis_url, cache_dir, backend", [
    (REDIS_URL, "/srv/cache", REDIS_CACHE),  # Redis wins: it is shared by more
    ("", "/srv/cache", FILE_CACHE),
    ("", "", MEMORY_CACHE),
])
def test_the_cache_is_redis_with_a_url_else_files_with_a_directory_else_memory(redis_url, cache_dir, backend):
    assert cache_config(redis_url=redis_url, cache_dir=cache_dir)["default"]["BACKEND"] == backend


@pytest.mark.server  # starts a Django process: settings are read once per process
def test_setting_redis_url_puts_the_cache_in_redis(redis_db):
    code = "import django; django.setup(); from django.core.cache import cache; cache.set('written', 'by settings')"
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "digitsite.settings", "REDIS_URL": REDIS_URL}
    result = subprocess.run([sys.executable, "-c", code], env=env, cwd=REPO, capture_output=True, text=True, timeout=60)

    assert result.returncode == 0, result.stderr
    assert redis_db.keys(f"{KEY_PREFIX}:*:written") != []
