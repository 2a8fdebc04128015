from django.urls import path

from contacts import views

app_name = "contacts"
urlpatterns = [
    path("contacts/", views.contact_list, name="list"),
    path("contacts/export.csv", views.contact_export, name="export"),
    path("contacts/sync/", views.contact_sync, name="sync"),
    path("contacts/edit-selected/", views.edit_selected, name="edit_selected"),
    path("contacts/bulk/", views.bulk_list, name="bulk_list"),
    path("contacts/bulk/upload/", views.bulk_upload, name="bulk_upload"),
    path("contacts/bulk/<uuid:bulk_edit_id>/", views.bulk_detail, name="bulk_detail"),
    path("contacts/bulk/<uuid:bulk_edit_id>/confirm/", views.bulk_confirm, name="bulk_confirm"),
    path("contacts/bulk/<uuid:bulk_edit_id>/discard/", views.bulk_discard, name="bulk_discard"),
    path("contacts/bulk/<uuid:bulk_edit_id>/cancel/", views.bulk_cancel, name="bulk_cancel"),
    path("contacts/bulk/<uuid:bulk_edit_id>/retry/", views.bulk_retry, name="bulk_retry"),
    path("contacts/bulk/<uuid:bulk_edit_id>/failed-rows.csv", views.bulk_failed_csv, name="bulk_failed_csv"),
    path("contacts/bulk/<uuid:bulk_edit_id>/problems.csv", views.bulk_problems_csv, name="bulk_problems_csv"),
]
