from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("reports/trends/", views.trends, name="trends"),
    path("reports/daily-email/", views.daily_email, name="daily_email"),
    path("reports/daily-email/send/", views.daily_email_send, name="daily_email_send"),
]
