from django.urls import path

from teams import views

app_name = "teams"
urlpatterns = [
    path("teams/", views.team_list, name="list"),
    path("teams/new/", views.team_add, name="add"),
    path("teams/<int:team_id>/", views.team_edit, name="edit"),
    path("teams/<int:team_id>/delete/", views.team_delete, name="delete"),
]
