"""Thin views for contacts and bulk edits: supervisors and admins only, each job checked against the
accounts the user is a member of (404 otherwise), then a service or selector, then a page or an
htmx partial. A job page polls itself while something is happening and stops (HTTP 286) after.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseStopPolling

from contacts import selectors, services
from contacts.csvfile import COLUMNS
from contacts.forms import AccountForm, SelectionEditForm, UploadForm
from contacts.models import EDITABLE_FIELDS, BulkEdit, BulkEditRow, ContactSync
from contacts.sync import contacts_sync_start
from exoadmin.accounts.roles import supervisor_required
from exoadmin.accounts.selectors import accounts_for_user
from exoadmin.spreadsheets import csv_download
from exoadmin.text import database_id

POLLING_STATES = (BulkEdit.State.VALIDATING, *BulkEdit.SENDING_STATES)


# -- the local copy of contacts ------------------------------------------------------------------


def _chosen_account(request):
    """The account in ?account=, else the user's first; None when the user has none."""
    accounts = accounts_for_user(request.user)
    account_id = request.GET.get("account") or request.POST.get("account")
    chosen = accounts.filter(id=account_id).first() if database_id(account_id) else None
    return chosen or accounts.first(), accounts


def _after(request) -> int:
    return database_id(request.GET.get("after", "")) or 0


@supervisor_required
@require_GET
def contact_list(request):
    account, accounts = _chosen_account(request)
    q = request.GET.get("q", "").strip()[:100]
    page = selectors.contacts_search(account=account, q=q, after_id=_after(request)) if account else []
    context = {
        "account": account,
        "accounts": accounts,
        "q": q,
        "contacts": page[: selectors.PAGE_SIZE],
        "next_after": page[selectors.PAGE_SIZE - 1].id if len(page) > selectors.PAGE_SIZE else None,
        "count": selectors.contacts_count(account=account) if account else 0,
        "sync": selectors.latest_sync(account=account) if account else None,
        "form": SelectionEditForm(user=request.user, initial={"account": account}),
    }
    if request.htmx and request.htmx.target == "sync-status":
        return _sync_status(request, context)
    return render(request, "contacts/list.html", context)


def _sync_status(request, context):
    response = render(request, "contacts/list.html#sync-status", context)
    if not (context["sync"] and context["sync"].state == ContactSync.State.RUNNING):
        response.status_code = HttpResponseStopPolling.status_code
    return response


@supervisor_required
@require_GET
def contact_export(request):
    account, _ = _chosen_account(request)
    if account is None:
        return HttpResponseBadRequest("You are not a member of any Exotel account.")
    return csv_download(selectors.contacts_export_csv(account=account), f"contacts-{account.account_sid}.csv")


@supervisor_required
@require_POST
def contact_sync(request):
    form = AccountForm(request.POST, user=request.user)
    if not form.is_valid():
        return HttpResponseBadRequest("Choose one of your Exotel accounts.")
    contacts_sync_start(account=form.cleaned_data["account"])
    messages.success(request, "Sync started: contacts arrive 20 per request, within Exotel's rate limit.")
    return redirect(f"{reverse('contacts:list')}?account={form.cleaned_data['account'].id}")


@supervisor_required
@require_POST
def edit_selected(request):
    form = SelectionEditForm(request.POST, user=request.user)
    if not form.is_valid():
        for name, errors in form.errors.items():
            label = "" if name in ("__all__", "sids") else f"{form[name].label}: "
            for error in errors:
                messages.error(request, f"{label}{error}")
        return redirect(f"{reverse('contacts:list')}?account={request.POST.get('account', '')}")
    bulk_edit = services.bulk_edit_create_from_selection(
        account=form.cleaned_data["account"],
        user=request.user,
        sids=form.cleaned_data["sids"],
        fields=form.cleaned_data["changes"],
    )
    return redirect(bulk_edit)


# -- bulk edits ----------------------------------------------------------------------------------


@supervisor_required
@require_GET
def bulk_list(request):
    jobs = list(selectors.bulk_edits_for_user(request.user))
    context = {
        "jobs": jobs,
        "form": UploadForm(user=request.user),
        "columns": COLUMNS,
        "polling": any(job.state in POLLING_STATES for job in jobs),
    }
    if request.htmx and request.htmx.target == "jobs":
        response = render(request, "contacts/bulk_list.html#jobs", context)
        if not context["polling"]:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, "contacts/bulk_list.html", context)


@supervisor_required
@require_POST
def bulk_upload(request):
    form = UploadForm(request.POST, request.FILES, user=request.user)
    if not form.is_valid():
        jobs = selectors.bulk_edits_for_user(request.user)
        return render(request, "contacts/bulk_list.html", {"jobs": jobs, "form": form, "columns": COLUMNS}, status=400)
    upload = form.cleaned_data["file"]
    bulk_edit = services.bulk_edit_create_from_upload(
        account=form.cleaned_data["account"],
        user=request.user,
        filename=upload.name,
        chunks=upload.chunks(services.UPLOAD_PART_SIZE),
    )
    return redirect(bulk_edit)


@supervisor_required
@require_GET
def bulk_detail(request, bulk_edit_id):
    bulk_edit = selectors.bulk_edit_for_user(request.user, bulk_edit_id)
    preview_filter = request.GET.get("preview", "")
    if preview_filter not in BulkEditRow.Preview.values:
        preview_filter = ""
    preview = selectors.bulk_edit_preview(bulk_edit, preview=preview_filter, after_line=_after(request))
    context = {
        "job": bulk_edit,
        "progress": selectors.bulk_edit_progress(bulk_edit),
        "polling": bulk_edit.state in POLLING_STATES,
        "preview": preview[: selectors.PREVIEW_PAGE_SIZE],
        "preview_filter": preview_filter,
        "preview_next": (
            preview[selectors.PREVIEW_PAGE_SIZE - 1].row.line if len(preview) > selectors.PREVIEW_PAGE_SIZE else None
        ),
        "problems": selectors.bulk_edit_problems(bulk_edit),
        "reasons": selectors.bulk_edit_failure_reasons(bulk_edit) if bulk_edit.is_final else [],
        "fields": EDITABLE_FIELDS,
        "Preview": BulkEditRow.Preview,
    }
    if request.htmx and request.htmx.target == "preview":
        return render(request, "contacts/bulk_detail.html#preview", context)
    if request.htmx and request.htmx.target == "job-status":
        response = render(request, "contacts/bulk_detail.html#status", context)
        if not context["polling"]:
            response.status_code = HttpResponseStopPolling.status_code
        return response
    return render(request, "contacts/bulk_detail.html", context)


def _job_action(request, bulk_edit_id, action, success: str):
    bulk_edit = selectors.bulk_edit_for_user(request.user, bulk_edit_id)
    try:
        result = action(bulk_edit)
    except services.BulkEditError as exc:
        messages.error(request, str(exc))
        return redirect(bulk_edit)
    messages.success(request, success)
    return redirect(result or bulk_edit)


@supervisor_required
@require_POST
def bulk_confirm(request, bulk_edit_id):
    return _job_action(
        request,
        bulk_edit_id,
        lambda job: services.bulk_edit_confirm(bulk_edit=job),
        "Confirmed: the edits are being sent to Exotel.",
    )


@supervisor_required
@require_POST
def bulk_discard(request, bulk_edit_id):
    return _job_action(
        request,
        bulk_edit_id,
        lambda job: services.bulk_edit_discard(bulk_edit=job),
        "Discarded: nothing was sent to Exotel.",
    )


@supervisor_required
@require_POST
def bulk_cancel(request, bulk_edit_id):
    return _job_action(
        request,
        bulk_edit_id,
        lambda job: services.bulk_edit_cancel(bulk_edit=job),
        "Cancelling: the chunk being sent finishes, nothing more is sent.",
    )


@supervisor_required
@require_POST
def bulk_retry(request, bulk_edit_id):
    return _job_action(
        request,
        bulk_edit_id,
        lambda job: services.bulk_edit_retry_failed(bulk_edit=job, user=request.user),
        "A new job with the rows that were not applied: review it, then confirm.",
    )


@supervisor_required
@require_GET
def bulk_failed_csv(request, bulk_edit_id):
    bulk_edit = selectors.bulk_edit_for_user(request.user, bulk_edit_id)
    return csv_download(selectors.bulk_edit_failed_rows_csv(bulk_edit), f"failed-rows-{bulk_edit.id}.csv")


@supervisor_required
@require_GET
def bulk_problems_csv(request, bulk_edit_id):
    bulk_edit = selectors.bulk_edit_for_user(request.user, bulk_edit_id)
    return csv_download(selectors.bulk_edit_problems_csv(bulk_edit), f"problems-{bulk_edit.id}.csv")
