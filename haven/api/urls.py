from django.urls import path

from haven.api import views

app_name = "api"

urlpatterns = [
    path("tokens/", views.token_list, name="tokens"),
    path("tokens/<slug:prefix>/revoke/", views.token_revoke, name="revoke"),
]
