from django.urls import path

from reports import views
from reports.time_in_state import views as time_in_state

app_name = "reports"
urlpatterns = [
    path("reports/time-in-state/", time_in_state.time_in_state, name="time_in_state"),
    path("reports/time-in-state.csv", time_in_state.time_in_state_csv, name="time_in_state_csv"),
    path("reports/agents/<int:agent_id>/timeline/", time_in_state.agent_timeline, name="agent_timeline"),
    path("reports/trends/", views.trends, name="trends"),
    path("reports/daily-email/", views.daily_email, name="daily_email"),
    path("reports/daily-email/send/", views.daily_email_send, name="daily_email_send"),
]
