"""Thin views for onboarding people in bulk (admins only): the page with the upload and the export,
an import's check and preview (then its results), applying the good rows, and the failures CSV."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from exoadmin.accounts.roles import Role, role_required
from exoadmin.spreadsheets import csv_download, csv_lines
from teams.models import PeopleImport
from teams.people import services
from teams.people.csvfile import COLUMNS, MAX_ROWS, FileRejected

admin_required = role_required(Role.ADMIN)


@admin_required
@require_http_methods(["GET", "POST"])
def people(request):
    """GET: the upload form, the export and recent imports; POST: check an uploaded file."""
    problem = ""
    if request.method == "POST":
        upload = request.FILES.get("file")
        if upload is None:
            problem = "Choose a CSV file to upload."
        else:
            try:
                people_import = services.people_import_check(
                    data=upload.read(), filename=upload.name or "", user=request.user
                )
            except FileRejected as exc:
                problem = str(exc)
            else:
                return redirect(people_import)
    context = {
        "columns": COLUMNS,
        "max_rows": MAX_ROWS,
        "problem": problem,
        "imports": PeopleImport.objects.select_related("created_by")[:10],
    }
    return render(request, "teams/people_import.html", context, status=400 if problem else 200)


@admin_required
@require_GET
def people_export(request):
    return csv_download(csv_lines(COLUMNS, services.people_export_rows()), "people.csv")


@admin_required
@require_GET
def import_detail(request, import_id):
    people_import = get_object_or_404(PeopleImport, pk=import_id)
    rows = people_import.rows
    good = [entry for entry in rows if not entry["problems"]]
    outcomes = [entry.get("outcome", "") for entry in rows]
    actions = [entry["action"] for entry in good]
    context = {
        "job": people_import,
        "rows": rows,
        "columns": COLUMNS,
        "good": len(good),
        "rejected": len(rows) - len(good),
        "to_create": actions.count("create"),
        "to_update": actions.count("update"),
        "unchanged": actions.count("unchanged"),
        "created": outcomes.count("created"),
        "updated": outcomes.count("updated"),
        "applied_unchanged": outcomes.count("unchanged"),
    }
    return render(request, "teams/people_detail.html", context)


@admin_required
@require_POST
def import_apply(request, import_id):
    people_import = get_object_or_404(PeopleImport, pk=import_id)
    try:
        services.people_import_apply(people_import)
    except services.ChangedSinceCheck as exc:
        messages.error(request, f"{exc} Upload the file again to check it afresh.")
    return redirect(people_import)


@admin_required
@require_GET
def import_failures_csv(request, import_id):
    people_import = get_object_or_404(PeopleImport, pk=import_id)
    name = (people_import.filename.rsplit(".", 1)[0] or "people") + "-failures.csv"
    return csv_download(csv_lines((*COLUMNS, "error"), services.failure_rows(people_import)), name)
