"""Pages every feature shares: liveness for load balancers (the error pages are in errors.py)."""

from django.http import JsonResponse
from django.views.decorators.http import require_GET


@require_GET
def healthz(request):
    """Liveness for load balancers: answers without touching the session."""
    return JsonResponse({"status": "ok"})
