from django.urls import path

from haven.justice import views

app_name = "justice"

urlpatterns = [
    path("<case_ref:reference>/justice/", views.case_page, name="case"),
    path("<case_ref:reference>/justice/letter/", views.letter, name="letter"),
    path("<case_ref:reference>/justice/<slug:kind>/new/", views.record_add, name="add"),
    path("<case_ref:reference>/justice/<slug:kind>/<int:pk>/", views.record_edit, name="edit"),
]
