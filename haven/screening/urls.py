from django.urls import path

from haven.screening import views

app_name = "screening"

urlpatterns = [
    path("", views.screening_list, name="list"),
    path("new/", views.screening_start, name="start"),
    path(
        "new/person/<person_ref:reference>/",
        views.screening_start_for_person,
        name="start_for_person",
    ),
    path("new/case/<case_ref:reference>/", views.screening_start_for_case, name="start_for_case"),
    path("<screening_ref:reference>/", views.screening_resume, name="resume"),
    path("<screening_ref:reference>/profile/", views.screening_profile, name="profile"),
    path("<screening_ref:reference>/quick/", views.screening_quick, name="quick"),
    path("<screening_ref:reference>/follow-up/", views.screening_follow_up, name="follow_up"),
    path("<screening_ref:reference>/topic/<slug:topic>/", views.screening_topic, name="topic"),
    path("<screening_ref:reference>/suspended/", views.screening_suspended, name="suspended"),
    path("<screening_ref:reference>/result/", views.screening_result, name="result"),
    path("<screening_ref:reference>/attach/", views.screening_attach, name="attach"),
    path("<screening_ref:reference>/hand-over/", views.screening_hand_over, name="hand_over"),
]
