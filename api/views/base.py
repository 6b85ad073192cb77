"""What every API view shares: token authentication and scopes, the per-client rate limit,
ETag and If-None-Match on reads, and one log row per call."""

import hashlib
import time

from django.utils.cache import get_conditional_response, patch_vary_headers
from rest_framework.generics import GenericAPIView

from api.calls import api_call_record


class ApiView(GenericAPIView):
    # method -> scope needed (api.permissions.HasScope)
    scopes: dict[str, str] = {}

    def dispatch(self, request, *args, **kwargs):
        started = time.monotonic()
        response = super().dispatch(request, *args, **kwargs)
        api_call_record(
            request=self.request,
            status=response.status_code,
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        return response

    def finalize_response(self, request, response, *args, **kwargs):
        response = super().finalize_response(request, response, *args, **kwargs)
        patch_vary_headers(response, ["Authorization"])
        if request.method in ("GET", "HEAD") and response.status_code == 200:
            response["Cache-Control"] = "private, no-cache"
            if not response.streaming:
                response.render()
                response["ETag"] = f'"{hashlib.sha256(response.content).hexdigest()[:32]}"'
                return get_conditional_response(request, etag=response["ETag"], response=response)
        else:
            response["Cache-Control"] = "no-store"
        return response
