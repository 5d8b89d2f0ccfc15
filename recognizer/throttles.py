from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle

USER_SCOPE = "user_{scope}"  # the rate key for signed-in users, e.g. "user_predict"


class ClientScopedRateThrottle(ScopedRateThrottle):
    """Rates by the view's `throttle_scope`: anonymous clients per address at the scope's rate (e.g.
    "predict"), signed-in users who are not staff per account at the higher `user_` rate (e.g.
    "user_predict"), staff never. Counters live in the default cache (digitsite/caches.py says where).

    The rate is read per request (DRF binds it at import), so settings overrides (tests, env) apply,
    and a scope with no rate (empty setting) is not throttled.
    """

    signed_in = False

    def allow_request(self, request, view) -> bool:
        user = getattr(request, "user", None)
        if user is not None and user.is_staff:
            return True
        self.signed_in = bool(user is not None and user.is_authenticated)
        return super().allow_request(request, view)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.rate_scope)

    @property
    def rate_scope(self) -> str:
        return USER_SCOPE.format(scope=self.scope) if self.signed_in else self.scope

    def get_cache_key(self, request, view) -> str:
        ident = request.user.pk if self.signed_in else self.get_ident(request)
        return self.cache_format % {"scope": self.rate_scope, "ident": ident}


# The name the views import (recognizer/apis.py, seed_apis.py); it throttles signed-in users too now.
AnonScopedRateThrottle = ClientScopedRateThrottle
