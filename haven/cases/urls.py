from django.urls import path, register_converter

from haven.cases import intake_views, views


class ClosureDecisionConverter:
    """The two answers to a closure request. Any other word is not a route (404), so a
    typo can never be read as a refusal."""

    regex = "approve|refuse"

    def to_python(self, value: str) -> str:
        return value

    def to_url(self, value: str) -> str:
        return value


register_converter(ClosureDecisionConverter, "closure_decision")

app_name = "cases"

urlpatterns = [
    path("", views.case_list, name="list"),
    path("due/", views.due_list, name="due"),
    path("new/<person_ref:reference>/", views.case_create, name="create"),
    path("<case_ref:reference>/", views.case_detail, name="detail"),
    path("<case_ref:reference>/edit/", views.case_edit, name="edit"),
    path("<case_ref:reference>/record/", views.case_record, name="record"),
    path("<case_ref:reference>/journey/new/", views.journey_add, name="journey_add"),
    path("<case_ref:reference>/age/new/", views.age_assessment_add, name="age_assessment_add"),
    path(
        "<case_ref:reference>/status/<str:status>/",
        views.case_status,
        name="status",
    ),
    path("<case_ref:reference>/close/", views.close_request, name="close_request"),
    path(
        "<case_ref:reference>/close/<closure_decision:decision>/",
        views.close_decide,
        name="close_decide",
    ),
    path("team/", views.team, name="team"),
    path("intake/", intake_views.intake_list, name="intake"),
    path("intake/<int:pk>/assign/", intake_views.intake_assign, name="intake_assign"),
    path("notifications/read/", views.notifications_read, name="notifications_read"),
]
