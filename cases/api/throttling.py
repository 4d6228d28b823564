"""Rate limits per API client (``REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]["api_client"]``).

Counted in the default cache. While Redis is away every read there is a miss and nothing is
counted: the API then answers without a limit rather than not at all (decision 9)."""

from __future__ import annotations

from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle


class ClientRateThrottle(SimpleRateThrottle):
    scope = "api_client"

    def get_rate(self):
        """The rate in the settings now (DRF's own reads it once, at import)."""
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        user = request.user
        if not user.is_authenticated:
            return None  # refused before it gets here: no token
        return self.cache_format % {"scope": self.scope, "ident": f"client-{user.pk}"}


class TokenRateThrottle(SimpleRateThrottle):
    """Token requests per address (``api_token``): checking a client secret costs a password
    hash, so nobody may make the portal do it without end."""

    scope = "api_token"

    def get_rate(self):
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def get_cache_key(self, request, view):
        return self.cache_format % {"scope": self.scope, "ident": self.get_ident(request)}
