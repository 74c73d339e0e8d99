from django.urls import path

from haven.training import views

app_name = "training"

urlpatterns = [
    path("", views.index, name="index"),
    path("scenario/<slug:scenario_id>/start/", views.start, name="start"),
    path("attempt/<int:pk>/", views.attempt_resume, name="attempt"),
    path("attempt/<int:pk>/stage/", views.stage, name="stage"),
    path("attempt/<int:pk>/profile/", views.profile, name="profile"),
    path("attempt/<int:pk>/quick/", views.quick, name="quick"),
    path("attempt/<int:pk>/follow-up/", views.follow_up, name="follow_up"),
    path("attempt/<int:pk>/topic/<slug:topic>/", views.topic, name="topic"),
    path("attempt/<int:pk>/suspended/", views.suspended, name="suspended"),
    path("attempt/<int:pk>/debrief/<int:stage>/", views.debrief, name="debrief"),
    path("attempt/<int:pk>/complete/", views.complete, name="complete"),
    path("quiz/", views.quiz, name="quiz"),
    path("quiz/<int:pk>/", views.quiz_result, name="quiz_result"),
    path("results/", views.group_results, name="results"),
    path("results/<slug:scenario_id>/", views.scenario_results, name="scenario_results"),
    path("scenarios/new/", views.scenario_new, name="scenario_new"),
    path("scenarios/<int:pk>/edit/", views.scenario_edit, name="scenario_edit"),
]
