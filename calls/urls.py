from django.urls import path

from calls import views

app_name = "calls"
urlpatterns = [
    path("calls/", views.history, name="history"),
    path("calls/totals/", views.totals, name="totals"),
    path("calls/export.csv", views.export_csv, name="export"),
    path("calls/new/", views.launch, name="launch"),
    path("calls/confirm/", views.confirm, name="confirm"),
    path("calls/live/", views.live, name="live"),
    path("calls/kpis/", views.kpis, name="kpis"),
    path("calls/waiting-for-outcome/", views.waiting_outcomes, name="waiting"),
    path("calls/<uuid:key>/", views.detail, name="detail"),
    path("calls/<uuid:key>/recording/", views.recording, name="recording"),
    path("calls/<uuid:key>/outcome/", views.outcome, name="outcome"),
    path("exotel/webhook/<str:token>/", views.webhook, name="webhook"),
]
