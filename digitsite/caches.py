"""settings.CACHES. The cache holds the throttle counters, so where it lives decides who shares a budget.

- REDIS_URL set: Redis, shared by every worker of every server (several machines behind a balancer).
- else CACHE_DIR set (production's default, VAR_DIR/cache): files, shared by one server's workers.
- else: per-process memory (development and tests: one process).

If Redis stops answering, cache calls fail fast (short socket timeouts) and are logged at ERROR by
django-redis (logger `django_redis.cache`) instead of failing the request: predictions go on,
unthrottled, until Redis is back. A rate limiter that took the whole site down with it would be worse.
"""
REDIS_CACHE = "django_redis.cache.RedisCache"
FILE_CACHE = "django.core.cache.backends.filebased.FileBasedCache"
MEMORY_CACHE = "django.core.cache.backends.locmem.LocMemCache"
REDIS_TIMEOUT_S = 0.5  # Redis answers in well under a millisecond on a LAN; longer means it is gone
KEY_PREFIX = "digits"  # so the site can share a Redis database with other applications


def cache_config(*, redis_url: str = "", cache_dir: str = "") -> dict:
    if redis_url:
        default = {
            "BACKEND": REDIS_CACHE,
            "LOCATION": redis_url,
            "KEY_PREFIX": KEY_PREFIX,
            "OPTIONS": {
                "SOCKET_CONNECT_TIMEOUT": REDIS_TIMEOUT_S,
                "SOCKET_TIMEOUT": REDIS_TIMEOUT_S,
                "IGNORE_EXCEPTIONS": True,
            },
        }
    elif cache_dir:
        default = {"BACKEND": FILE_CACHE, "LOCATION": cache_dir}
    else:
        default = {"BACKEND": MEMORY_CACHE}
    return {"default": default}
