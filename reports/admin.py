from django.contrib import admin

from reports.models import DailyEmail


@admin.register(DailyEmail)
class DailyEmailAdmin(admin.ModelAdmin):
    list_display = ["user", "enabled", "send_at", "last_sent_on"]
    list_filter = ["enabled"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
