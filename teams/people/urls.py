from django.urls import path

from teams.people import views

app_name = "people"
urlpatterns = [
    path("people/", views.people, name="import"),
    path("people/export.csv", views.people_export, name="export"),
    path("people/imports/<uuid:import_id>/", views.import_detail, name="import_detail"),
    path("people/imports/<uuid:import_id>/apply/", views.import_apply, name="apply"),
    path("people/imports/<uuid:import_id>/failures.csv", views.import_failures_csv, name="failures_csv"),
]
