"""Admin: the mirror, sync runs and bulk edits; a job's rows are a read-only filtered list."""

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

from contacts.models import BulkEdit, BulkEditChunk, BulkEditProblem, BulkEditRow, Contact, ContactSync


class ReadOnlyAdmin(admin.ModelAdmin):
    """Jobs are changed by their services only (a hand edit could send a row twice)."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Contact)
class ContactAdmin(admin.ModelAdmin):
    list_display = ("sid", "first_name", "last_name", "number", "email", "tag", "account", "synced_at")
    list_filter = ("account", "tag")
    search_fields = ("sid", "number", "first_name", "last_name", "email", "company_name")
    readonly_fields = ("synced_at",)


@admin.register(ContactSync)
class ContactSyncAdmin(ReadOnlyAdmin):
    list_display = ("account", "state", "fetched", "total", "next_offset", "started_at", "finished_at")
    list_filter = ("state", "account")


class ChunkInline(admin.TabularInline):
    model = BulkEditChunk
    fields = ("index", "state", "attempts", "request_id", "last_error", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(BulkEdit)
class BulkEditAdmin(ReadOnlyAdmin):
    list_display = (
        "created_at",
        "account",
        "source",
        "filename",
        "state",
        "total",
        "applied",
        "failed",
        "not_sent",
        "created_by",
    )
    list_filter = ("state", "source", "account")
    search_fields = ("id", "filename")
    readonly_fields = [field.name for field in BulkEdit._meta.fields] + ["rows_link"]
    inlines = [ChunkInline]

    @admin.display(description="rows")
    def rows_link(self, obj):
        url = reverse("admin:contacts_bulkeditrow_changelist") + f"?bulk_edit__id__exact={obj.id}"
        return format_html('<a href="{}">{} rows with their outcomes</a>', url, obj.total)


@admin.register(BulkEditRow)
class BulkEditRowAdmin(ReadOnlyAdmin):
    list_display = ("line", "sid", "preview", "outcome", "code", "exotel_code", "message", "request_id")
    list_filter = ("outcome", "preview")
    search_fields = ("sid",)
    list_select_related = False
    show_full_result_count = False  # counting a million rows on every page is slow


@admin.register(BulkEditProblem)
class BulkEditProblemAdmin(ReadOnlyAdmin):
    list_display = ("bulk_edit", "line", "column", "value", "message")
    search_fields = ("bulk_edit__id",)
