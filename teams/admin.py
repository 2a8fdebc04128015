from django.contrib import admin

from teams.models import Team
from teams.services import team_changed


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "account"]
    list_filter = ["account"]
    search_fields = ["name"]
    filter_horizontal = ["agents", "leads"]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        team_changed(form.instance)  # its leads' open pages get their new scope

    def delete_model(self, request, obj):
        pk, account_id = obj.pk, obj.account_id
        super().delete_model(request, obj)
        team_changed(Team(pk=pk, account_id=account_id))
