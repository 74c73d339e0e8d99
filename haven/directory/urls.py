from django.urls import path

from haven.directory import views

app_name = "directory"

urlpatterns = [
    path("", views.public, name="public"),
    path("providers/<int:pk>/", views.public_provider, name="public_provider"),
    path("pdf/", views.public_pdf, name="public_pdf"),
    path("manage/", views.manage, name="manage"),
    path("manage/providers/new/", views.provider_add, name="provider_add"),
    path("manage/providers/<int:pk>/", views.provider_edit, name="provider_edit"),
    path("manage/providers/<int:pk>/services/new/", views.service_add, name="service_add"),
    path("manage/services/<int:pk>/", views.service_edit, name="service_edit"),
    path("manage/services/<int:pk>/availability/", views.availability, name="availability"),
]
