from django.urls import path

from haven.campaigns import views

app_name = "campaigns"

urlpatterns = [
    path("", views.campaign_list, name="list"),
    path("new/", views.new, name="new"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/basics/", views.basics, name="basics"),
    path("<int:pk>/getting-started/", views.getting_started, name="getting_started"),
    path("<int:pk>/objectives/", views.objectives, name="objectives"),
    path("<int:pk>/objectives/remove/", views.objective_remove, name="objective_remove"),
    path("<int:pk>/audience/", views.audience, name="audience"),
    path("<int:pk>/messages/", views.messages_step, name="messages"),
    path("<int:pk>/messages/approve/", views.message_approve, name="message_approve"),
    path("<int:pk>/dissemination/", views.dissemination, name="dissemination"),
    path("<int:pk>/monitoring/", views.monitoring, name="monitoring"),
    path("<int:pk>/indicators/<int:item>/", views.indicator_value, name="indicator_value"),
    path("<int:pk>/findings/", views.findings, name="findings"),
    path("<int:pk>/start/", views.start, name="start"),
    path("<int:pk>/end/", views.end, name="end"),
    path("<int:pk>/materials/", views.materials, name="materials"),
    path("<int:pk>/materials/remove/", views.material_delete, name="material_delete"),
    path("<int:pk>/materials/<int:item>/file/", views.material_file, name="material_file"),
    path("<int:pk>/calls/", views.call_chart, name="calls"),
    path("<int:pk>/calls/chart.svg", views.call_chart_svg, name="calls_svg"),
    # Public: no sign-in. A material by its random token, never its title.
    path("information/", views.information, name="information"),
    path("information/<str:token>/", views.public_material, name="public_material"),
]
