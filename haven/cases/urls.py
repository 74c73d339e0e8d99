from django.urls import path

from haven.cases import views

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("new/<person_ref:reference>/", views.case_create, name="create"),
    path("<case_ref:reference>/", views.case_detail, name="detail"),
    path("<case_ref:reference>/edit/", views.case_edit, name="edit"),
]
