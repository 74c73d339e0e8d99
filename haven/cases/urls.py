from django.urls import path

from haven.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/<person_ref:reference>/", views.case_create, name="create"),
    path("<case_ref:reference>/", views.case_detail, name="detail"),
    path("<case_ref:reference>/edit/", views.case_edit, name="edit"),
    path("<case_ref:reference>/record/", views.case_record, name="record"),
    path("<case_ref:reference>/journey/new/", views.journey_add, name="journey_add"),
    path(
        "<case_ref:reference>/status/<str:status>/",
        views.case_status,
        name="status",
    ),
    path("<case_ref:reference>/close/", views.close_request, name="close_request"),
    path(
        "<case_ref:reference>/close/<str:decision>/",
        views.close_decide,
        name="close_decide",
    ),
    path("team/", views.team, name="team"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
