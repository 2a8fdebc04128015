from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from exoadmin.health.checks import run_checks


@never_cache
def healthz(request):
    """Public: machines get a JSON summary; people who are logged in also see why a check fails."""
    checks = run_checks()
    healthy = all(check.ok for check in checks)
    status = 200 if healthy else 503
    with_detail = request.user.is_authenticated
    if request.GET.get("format") == "json" or not request.accepts("text/html"):
        payload = {"healthy": healthy, "checks": [c.as_dict(with_detail=with_detail) for c in checks]}
        return JsonResponse(payload, status=status)
    context = {"checks": checks, "healthy": healthy, "with_detail": with_detail}
    return render(request, "health/healthz.html", context, status=status)
