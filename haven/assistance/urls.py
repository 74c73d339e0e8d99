from django.urls import path

from haven.assistance import views

app_name = "assistance"

urlpatterns = [
    path("<case_ref:reference>/assessments/new/", views.assessment_add, name="assessment_add"),
    path("<case_ref:reference>/plan/new/", views.objective_add, name="objective_add"),
    path("<case_ref:reference>/plan/<int:pk>/", views.objective_edit, name="objective_edit"),
    path("<case_ref:reference>/services/new/", views.service_add, name="service_add"),
    path("<case_ref:reference>/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("<case_ref:reference>/return/", views.return_plan, name="return_plan"),
    path("<case_ref:reference>/return/approve/", views.return_approve, name="return_approve"),
    path(
        "<case_ref:reference>/follow-ups/new/",
        views.follow_ups_schedule,
        name="follow_ups_schedule",
    ),
    path(
        "<case_ref:reference>/follow-ups/<int:pk>/",
        views.follow_up_record,
        name="follow_up_record",
    ),
]
