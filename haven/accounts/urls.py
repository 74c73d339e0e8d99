from django.urls import path

from haven.accounts import views

app_name = "accounts"

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/code/", views.verify_view, name="verify"),
    path("login/enrol/", views.enrol_view, name="enrol"),
    path("logout/", views.logout_view, name="logout"),
]

urlpatterns += [
    path("users/", views.user_list, name="users"),
    path("users/<int:pk>/unlock/", views.user_unlock, name="unlock"),
    path("organisations/", views.organisation_list, name="organisations"),
]
