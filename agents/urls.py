from django.urls import path

from agents import views

app_name = "agents"
urlpatterns = [
    path("agents/me/", views.my_availability, name="mine"),
    path("agents/me/devices/<int:device_id>/", views.my_device, name="my_device"),
    path("agents/me/phone-sip/", views.my_phone_sip, name="my_phone_sip"),
    path("agents/me/unavailable/", views.my_go_unavailable, name="my_unavailable"),
    path("agents/", views.board, name="board"),
    path("agents/export.csv", views.board_csv, name="board_csv"),
    path("agents/sync/", views.board_sync, name="sync"),
    path("agents/find-in-exotel/", views.board_find_in_exotel, name="find_in_exotel"),
    path("agents/add-from-exotel/", views.board_add_from_exotel, name="add_from_exotel"),
    path("agents/end-of-shift/", views.end_of_shift_start, name="end_of_shift_start"),
    path("agents/end-of-shift/<int:job_id>/", views.end_of_shift, name="end_of_shift"),
    path("agents/rules/", views.rules, name="rules"),
    path("agents/rules.csv", views.rules_csv, name="rules_csv"),
    path("agents/rules/new/", views.rule_add, name="rule_add"),
    path("agents/rules/<int:rule_id>/", views.rule_edit, name="rule_edit"),
    path("agents/rules/<int:rule_id>/delete/", views.rule_delete, name="rule_delete"),
    path("agents/<int:agent_id>/", views.agent_detail, name="detail"),
    path("agents/<int:agent_id>/devices/<int:device_id>/", views.agent_device, name="device"),
    path("agents/<int:agent_id>/phone-sip/", views.agent_phone_sip, name="phone_sip"),
    path("agents/<int:agent_id>/unavailable/", views.agent_go_unavailable, name="unavailable"),
    path("agents/<int:agent_id>/drift/", views.agent_drift, name="drift"),
]
