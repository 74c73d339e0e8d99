from django.urls import path

from haven.identification import views

app_name = "identification"

urlpatterns = [
    path("<case_ref:reference>/identification/", views.change, name="change"),
]
