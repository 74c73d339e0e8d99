from django.urls import path

from haven.rights import views

app_name = "rights"

urlpatterns = [
    path("people/<person_ref:reference>/export/", views.subject_export, name="subject_export"),
    path("retention/", views.retention_policy, name="retention"),
    path("cases/<case_ref:reference>/hold/", views.legal_hold, name="legal_hold"),
]
