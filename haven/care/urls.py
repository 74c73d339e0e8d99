from django.urls import path

from haven.care import views

app_name = "care"

urlpatterns = [
    path("cases/<case_ref:reference>/stays/new/", views.stay_add, name="stay_add"),
    path("cases/<case_ref:reference>/stays/<int:pk>/end/", views.stay_end, name="stay_end"),
    path(
        "cases/<case_ref:reference>/services/<int:pk>/feedback/",
        views.feedback_add,
        name="feedback_add",
    ),
    path("care/feedback/new/", views.feedback_anonymous, name="feedback_anonymous"),
    path("care/feedback/", views.feedback_summary, name="feedback_summary"),
]
