from django.urls import path

from haven.translations import views

app_name = "translations"

urlpatterns = [
    path("", views.index, name="index"),
    path("proposals/", views.proposals, name="proposals"),
    path("proposals/<int:pk>/decide/", views.decide, name="decide"),
    path("<str:language>/export/<str:kind>/", views.export, name="export"),
    path("<str:language>/import/", views.import_view, name="import"),
    path("<str:language>/<str:part>/", views.text_list, name="list"),
    path("<str:language>/<str:part>/<str:key>/", views.text_detail, name="detail"),
    path("<str:language>/<str:part>/<str:key>/review/", views.review, name="review"),
    path("<str:language>/<str:part>/<str:key>/propose/", views.propose, name="propose"),
]
