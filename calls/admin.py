from django.contrib import admin

from calls.models import Call, CallEvent, CallLeg, CallSettings, RecordingAccess


@admin.register(CallSettings)
class CallSettingsAdmin(admin.ModelAdmin):
    list_display = ["account", "api_version", "records_by_default"]


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
    ]
    list_filter = ["state", "status", "launch_outcome", "api_version", "direction", "has_recording", "account"]
    search_fields = ["sid", "customer_number", "custom_field", "=key"]
    list_select_related = ["agent"]
    raw_id_fields = ["agent", "launched_by"]
    date_hierarchy = "created_at"
    readonly_fields = ["key"]
    # Pre-signed links: they stay on the server (play them from the call page).
    exclude = ["recording_url", "recording_urls"]
    inlines = [CallLegInline, CallEventInline]
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
