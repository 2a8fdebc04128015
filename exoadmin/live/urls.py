from django.urls import path

from exoadmin.live import views

app_name = "live"

urlpatterns = [
    path("live/stream/", views.stream, name="stream"),
]
