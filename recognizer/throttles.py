from rest_framework.settings import api_settings
from rest_framework.throttling import ScopedRateThrottle


class AnonScopedRateThrottle(ScopedRateThrottle):
    """Per-IP rate for anonymous clients, by the view's `throttle_scope`; signed-in users are trusted.

    The rate is read per request (DRF binds it at import), so settings overrides (tests, env) apply,
    and a scope with no rate (empty setting) is not throttled.
    """

    def allow_request(self, request, view) -> bool:
        if request.user and request.user.is_authenticated:
            return True
        return super().allow_request(request, view)

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)
