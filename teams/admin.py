from django.contrib import admin

from teams.models import Team


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ["name", "account"]
    list_filter = ["account"]
    search_fields = ["name"]
    filter_horizontal = ["agents", "leads"]
