from django.urls import path

from haven.interop import views

app_name = "interop"

urlpatterns = [
    path("htcds/import/", views.import_page, name="import"),
    path("xlsform/screening.xlsx", views.xlsform_download, name="xlsform"),
    path("xlsform/import/", views.submissions_page, name="submissions"),
]
