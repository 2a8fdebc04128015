from django import forms
from django.contrib import admin

from calls.models import Call, CallEvent, CallLeg, CallOutcome, CallSettings, OutcomeChange, RecordingAccess


@admin.register(CallSettings)
class CallSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "api_version", "records_by_default", "outcome_required"]
    list_filter = ["outcome_required"]


class CallOutcomeRowForm(forms.ModelForm):
    """A row of the list's editable columns: each control named for its outcome (the list has no labels)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            field.widget.attrs["aria-label"] = f"{field.label} of {self.instance.name}"


@admin.register(CallOutcome)
class CallOutcomeAdmin(admin.ModelAdmin):
    list_display = ["name", "account", "position", "active"]
    list_editable = ["position", "active"]
    list_filter = ["account", "active"]
    search_fields = ["name"]

    def get_changelist_form(self, request, **kwargs):
        return super().get_changelist_form(request, form=CallOutcomeRowForm, **kwargs)


class ReadOnlyAdmin(admin.ModelAdmin):
    """An audit: read here, written only by the service that makes each change."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(OutcomeChange)
class OutcomeChangeAdmin(ReadOnlyAdmin):
    list_display = ["at", "call", "by", "before", "after"]
    list_select_related = ["call", "by"]
    search_fields = ["before", "after", "note_after", "call__customer_number"]
    date_hierarchy = "at"
    show_full_result_count = False


class OutcomeChangeInline(admin.TabularInline):
    model = OutcomeChange
    extra = 0
    fields = readonly_fields = ("at", "by", "before", "after", "note_before", "note_after")
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


class CallLegInline(admin.TabularInline):
    model = CallLeg
    extra = 0
    readonly_fields = ["side", "sid", "name", "contact_uri", "status", "started_at", "updated_at"]


class CallEventInline(admin.TabularInline):
    model = CallEvent
    extra = 0
    fields = readonly_fields = ("at", "kind", "summary", "request_id")


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = [
        "created_at",
        "agent",
        "customer_number",
        "exophone",
        "state",
        "status",
        "launch_outcome",
        "api_version",
        "has_recording",
        "outcome",
    ]
    list_filter = [
        "state",
        "status",
        "launch_outcome",
        "api_version",
        "direction",
        "has_recording",
        "account",
        "outcome",
    ]
    search_fields = ["sid", "customer_number", "custom_field", "=key"]
    list_select_related = ["agent", "outcome"]
    raw_id_fields = ["agent", "launched_by"]
    date_hierarchy = "created_at"
    # A call's outcome changes through the call page, which audits it (OutcomeChange).
    readonly_fields = ["key", "outcome", "outcome_note", "outcome_set_by", "outcome_set_at"]
    # Pre-signed links: they stay on the server (play them from the call page).
    exclude = ["recording_url", "recording_urls"]
    inlines = [CallLegInline, CallEventInline, OutcomeChangeInline]
    show_full_result_count = False  # counting millions of calls on every page is slow


@admin.register(CallLeg)
class CallLegAdmin(admin.ModelAdmin):
    list_display = ["call", "side", "contact_uri", "status", "started_at", "updated_at"]
    list_filter = ["side", "status"]
    raw_id_fields = ["call"]
    search_fields = ["sid", "contact_uri"]


@admin.register(CallEvent)
class CallEventAdmin(admin.ModelAdmin):
    list_display = ["at", "call", "kind", "summary", "request_id"]
    list_filter = ["kind"]
    raw_id_fields = ["call", "actor"]
    search_fields = ["request_id", "summary"]
    show_full_result_count = False


@admin.register(RecordingAccess)
class RecordingAccessAdmin(admin.ModelAdmin):
    list_display = ["at", "user", "kind", "call"]
    list_filter = ["kind"]
    raw_id_fields = ["call", "user"]
