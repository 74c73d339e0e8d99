from django.urls import path

from haven.community import views

app_name = "community"

urlpatterns = [
    path("", views.my_reports, name="mine"),
    path("new/", views.new_report, name="new"),
    path("places/", views.places, name="places"),
    path("map/", views.community_map, name="map"),
    path("map/<str:code>/", views.district_reports, name="district"),
    path("reports/<int:pk>/lead/", views.report_lead, name="lead"),
]
