from django.urls import path

from reports.time_in_state import views as time_in_state

app_name = "reports"
urlpatterns: list = [
    path("reports/time-in-state/", time_in_state.time_in_state, name="time_in_state"),
    path("reports/time-in-state.csv", time_in_state.time_in_state_csv, name="time_in_state_csv"),
    path("reports/agents/<int:agent_id>/timeline/", time_in_state.agent_timeline, name="agent_timeline"),
]
