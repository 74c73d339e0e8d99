from django.urls import path

from haven.stats import frameworks, releases, views

app_name = "statistics"

urlpatterns = [
    path("", views.index, name="index"),
    path("tables.<str:fmt>", views.download, name="download"),
    path("chart/<slug:slug>.svg", views.chart, name="chart"),
    path("report.pdf", views.report, name="report"),
    path("results/", frameworks.framework_list, name="frameworks"),
    path("results/<int:pk>/", frameworks.framework_detail, name="framework"),
    path("results/<int:pk>/report.pdf", frameworks.framework_pdf, name="framework_pdf"),
    path("results/<int:pk>/result/", frameworks.add_result, name="framework_result"),
    path("results/<int:pk>/indicator/", frameworks.add_indicator, name="framework_indicator"),
    path("results/<int:pk>/value/", frameworks.record_value, name="framework_value"),
    path("releases/", releases.release_list, name="releases"),
    path("releases/new/", releases.request_release, name="release_new"),
    path("releases/<int:pk>/decide/", releases.decide, name="release_decide"),
    path("releases/<int:pk>/download/", releases.download, name="release_download"),
]
