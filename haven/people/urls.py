from django.urls import path

from haven.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("search/", views.person_search, name="search"),
    path("new/", views.person_create, name="create"),
    path("<person_ref:reference>/", views.person_detail, name="detail"),
    path("<person_ref:reference>/edit/", views.person_edit, name="edit"),
]
