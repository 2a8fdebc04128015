"""Reports: daily trends over a range, and each supervisor's daily report email (settings, a sample now)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls import charts
from exoadmin.accounts.roles import supervisor_required
from exoadmin.refusals import Refused
from reports import daily_email_delivery
from reports.daily_email import CSV_COLUMNS, first_account
from reports.forms import DailyEmailForm, TrendsForm
from reports.trends import trends_for


@supervisor_required
@require_GET
def trends(request):
    form = TrendsForm(request.GET or None, user=request.user)
    report_range = form.report_range()
    numbers = trends_for(request.user, report_range, **form.filters()) if report_range else None
    context = {"form": form, "trends": numbers}
    if numbers is not None:
        days = list(zip([f"{day:%d %b}" for day in report_range.days], numbers.per_day, strict=True))
        context["charts"] = [
            charts.column_chart_against(
                "Calls placed per day (previous period fainter)",
                [(label, row.now.calls, row.before.calls) for label, row in days],
                unit="calls",
            ),
            charts.column_chart_against(
                "Answered per day (previous period fainter)",
                [(label, row.now.answered, row.before.answered) for label, row in days],
                unit="answered",
            ),
        ]
    return render(request, "reports/trends.html", context)


@supervisor_required
@require_http_methods(["GET", "POST"])
def daily_email(request):
    settings_now = daily_email_delivery.daily_email_settings(request.user)
    form = DailyEmailForm(request.POST or None, instance=settings_now, user=request.user)
    if request.method == "POST" and form.is_valid():
        saved = daily_email_delivery.daily_email_update(user=request.user, **form.cleaned_data)
        on = f"The daily report is on: it is sent after {saved.send_at:%H:%M}."
        messages.success(request, on if saved.enabled else "The daily report is off.")
        return redirect("reports:daily_email")
    account = first_account(request.user)
    context = {"form": form, "account": account, "csv_columns": CSV_COLUMNS, "email_missing": settings.EMAIL_MISSING}
    return render(request, "reports/daily_email.html", context, status=400 if form.errors else 200)


@supervisor_required
@require_POST
def daily_email_send(request):
    try:
        address = daily_email_delivery.daily_email_send_now(user=request.user)
    except Refused as refusal:
        messages.error(request, refusal.in_words)
    else:
        messages.success(request, f"Yesterday's report was sent to {address}.")
    return redirect("reports:daily_email")
