"""Django admin for agents, their devices, the audit and end-of-shift jobs and rules.

Device changes made here go through the agents' services like any other (rules, Exotel, audit):
the admin never edits `available` directly.
"""

from django.contrib import admin, messages

from agents import devices, drift, shifts, sync
from agents.audit import Actor
from agents.models import (
    Agent,
    AutoOffRule,
    AvailabilityEvent,
    Device,
    EndOfShiftItem,
    EndOfShiftJob,
    PhoneSip,
    Source,
)
from exoadmin.accounts.models import ExotelAccount
from exoadmin.refusals import Refused

EXOTEL_STATE = ("available", "verified", "status", "expected_available")


class DeviceInline(admin.TabularInline):
    model = Device
    extra = 0
    fields = ("exotel_id", "type", "contact_uri", "name", *EXOTEL_STATE)
    readonly_fields = EXOTEL_STATE


class PhoneSipInline(admin.StackedInline):
    model = PhoneSip
    extra = 0
    readonly_fields = (
        "phone_enabled",
        "sip_enabled",
        "sip_registered",
        "sip_last_seen",
        "expected_phone_enabled",
        "expected_sip_enabled",
    )


@admin.register(Agent)
class AgentAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "account",
        "device_model",
        "availability",
        "has_drift",
        "user",
        "last_change_at",
        "last_change_by",
        "synced_at",
        "missing_in_exotel_since",
    )
    list_filter = (
        "account",
        "device_model",
        "availability",
        "has_drift",
        ("missing_in_exotel_since", admin.EmptyFieldListFilter),
    )
    search_fields = ("name", "email", "exotel_user_id", "integrations_user_id", "devices__contact_uri")
    list_select_related = ("account", "user")
    autocomplete_fields = ("user",)
    readonly_fields = (
        "availability",
        "has_drift",
        "state_since",
        "last_change_at",
        "last_change_by",
        "active_call_sid",
        "live_call",
        "last_login_at",
        "synced_at",
        "missing_in_exotel_since",
    )
    inlines = [DeviceInline, PhoneSipInline]
    actions = ["sync_from_exotel", "turn_all_devices_off", "accept_exotel_state"]

    @admin.action(description="Sync their accounts from Exotel now")
    def sync_from_exotel(self, request, queryset):
        accounts = list(ExotelAccount.objects.filter(agents__in=queryset).distinct())
        sync.agents_sync_start(account_ids=[account.pk for account in accounts])
        self.message_user(
            request,
            f"Sync from Exotel started for {', '.join(a.name for a in accounts)}: "
            "the agents board shows when it finished.",
        )

    @admin.action(description="Turn all devices OFF (end-of-shift job)")
    def turn_all_devices_off(self, request, queryset):
        job = shifts.end_of_shift_job_create(agents=queryset, actor=Actor.person(request.user, Source.SUPERVISOR))
        self.message_user(request, f"End-of-shift job #{job.pk} started for {job.total} agents.")

    @admin.action(description="Accept Exotel's state (clear drift)")
    def accept_exotel_state(self, request, queryset):
        actor = Actor.person(request.user, Source.SUPERVISOR)
        for agent in queryset.filter(has_drift=True):
            try:
                drift.agent_drift_resolve(agent=agent, action=drift.ACCEPT, actor=actor)
            except Refused as exc:
                self.message_user(request, f"{agent}: {exc.in_words}", messages.ERROR)


@admin.register(Device)
class DeviceAdmin(admin.ModelAdmin):
    list_display = ("contact_uri", "type", "agent", "available", "verified", "status", "expected_available")
    list_filter = ("type", "available", "verified", "status", "agent__account")
    search_fields = ("contact_uri", "name", "exotel_id", "agent__name")
    list_select_related = ("agent",)
    readonly_fields = EXOTEL_STATE
    actions = ["turn_off"]

    @admin.action(description="Turn OFF in Exotel")
    def turn_off(self, request, queryset):
        actor = Actor.person(request.user, Source.SUPERVISOR)
        for device in queryset.select_related("agent__account").filter(available=True):
            try:
                devices.device_set_available(device=device, available=False, actor=actor)
            except Refused as exc:
                self.message_user(request, f"{device.contact_uri}: {exc.in_words}", messages.ERROR)


@admin.register(PhoneSip)
class PhoneSipAdmin(admin.ModelAdmin):
    list_display = ("agent", "phone_number", "phone_enabled", "sip_username", "sip_enabled", "sip_registered")
    list_filter = ("phone_enabled", "sip_enabled", "sip_registered", "agent__account")
    search_fields = ("agent__name", "phone_number", "sip_username")
    list_select_related = ("agent",)


@admin.register(AvailabilityEvent)
class AvailabilityEventAdmin(admin.ModelAdmin):
    list_display = ("at", "agent", "device", "before", "after", "outcome", "source", "actor", "request_id")
    list_filter = ("outcome", "source", "agent__account")
    search_fields = ("agent__name", "device", "request_id", "message")
    date_hierarchy = "at"
    list_select_related = ("agent", "actor")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # the audit is append-only


@admin.register(AutoOffRule)
class AutoOffRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "account", "at_time", "weekdays", "enabled", "last_run_on")
    list_filter = ("account", "enabled")
    search_fields = ("name",)
    filter_horizontal = ("agents", "teams")


class EndOfShiftItemInline(admin.TabularInline):
    model = EndOfShiftItem
    extra = 0
    readonly_fields = ("agent", "status", "message")
    can_delete = False


@admin.register(EndOfShiftJob)
class EndOfShiftJobAdmin(admin.ModelAdmin):
    list_display = ("pk", "created_at", "source", "rule", "created_by", "status", "total", "done", "failed")
    list_filter = ("status", "source")
    readonly_fields = ("created_by", "source", "rule", "status", "total", "done", "failed", "finished_at")
    inlines = [EndOfShiftItemInline]
