from django.urls import path

from haven.identification import views

app_name = "identification"

urlpatterns = [
    path("<case_ref:reference>/identification/", views.change, name="change"),
    path("identification-requests/", views.requests, name="requests"),
    path(
        "identification-requests/<referral_ref:reference>/",
        views.request_detail,
        name="request",
    ),
    path(
        "identification-requests/<referral_ref:reference>/message/",
        views.request_message,
        name="request_message",
    ),
    path(
        "identification-requests/<referral_ref:reference>/decide/",
        views.request_decide,
        name="request_decide",
    ),
]
