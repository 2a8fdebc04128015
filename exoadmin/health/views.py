import hmac

from django.conf import settings
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from exoadmin.health.checks import run_checks
from exoadmin.health.scrape import exposition


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


@never_cache
def metrics(request):
    """Prometheus' scrape: only with the bearer token; unknown when no token is configured."""
    token = settings.METRICS_TOKEN
    if not token:
        raise Http404
    scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(sent.encode(), token.encode()):
        return HttpResponse("A valid METRICS_TOKEN is needed as `Authorization: Bearer ...`.\n", status=401)
    return HttpResponse(exposition(), content_type="text/plain; version=0.0.4; charset=utf-8")
