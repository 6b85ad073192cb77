"""Health probes for the load balancer and the orchestrator."""

from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from gru.selectors import readiness


@never_cache
@require_GET
def healthz(request):
    """The process answers. No I/O."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_GET
def readyz(request):
    """The database and Redis answer; 503 naming the failing part otherwise."""
    checks = readiness(connection)
    ready = all(check["ok"] for check in checks.values())
    return JsonResponse({"ready": ready, "checks": checks}, status=200 if ready else 503)
