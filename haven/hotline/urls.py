from django.urls import path

from haven.hotline import views

app_name = "hotline"

urlpatterns = [
    path("", views.call_list, name="calls"),
    path("new/", views.call_new, name="call_new"),
    path("sos/", views.sos, name="sos"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/screening/", views.call_screening, name="call_screening"),
    path("calls/<int:pk>/lead/", views.call_lead, name="call_lead"),
    path("alerts/", views.alert_list, name="alerts"),
    path("alerts/<int:pk>/acknowledge/", views.alert_acknowledge, name="alert_acknowledge"),
    path("duty/", views.duty, name="duty"),
    path("duty/<int:pk>/remove/", views.duty_remove, name="duty_remove"),
    path("leads/", views.lead_list, name="leads"),
    path("leads/<int:pk>/", views.lead_detail, name="lead_detail"),
    path("leads/<int:pk>/assign/", views.lead_assign, name="lead_assign"),
    path("leads/<int:pk>/pass/", views.lead_pass, name="lead_pass"),
    path("leads/<int:pk>/met/", views.lead_met, name="lead_met"),
    path("leads/<int:pk>/close/", views.lead_close, name="lead_close"),
    path("volume/", views.call_volume, name="volume"),
    path("volume/chart.svg", views.call_volume_svg, name="volume_svg"),
]
