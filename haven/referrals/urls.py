from django.urls import path

from haven.referrals import views

app_name = "referrals"

urlpatterns = [
    path("", views.outgoing, name="outgoing"),
    path("incoming/", views.incoming, name="incoming"),
    path("import/", views.import_file, name="import"),
    path("flows/", views.flows, name="flows"),
    path("emergency/", views.emergency, name="emergency"),
    path("emergency/<int:pk>/", views.override_decide, name="override_decide"),
    path("emergency/<int:pk>/withdraw/", views.override_withdraw, name="override_withdraw"),
    path("case/<case_ref:reference>/consent/", views.consent_add, name="consent_add"),
    path(
        "case/<case_ref:reference>/consent/<int:pk>/withdraw/",
        views.consent_withdraw,
        name="consent_withdraw",
    ),
    path("case/<case_ref:reference>/new/", views.referral_new, name="new"),
    path("<referral_ref:reference>/", views.detail, name="detail"),
    path("<referral_ref:reference>/revoke/", views.revoke, name="revoke"),
    path("<referral_ref:reference>/emergency/", views.override_request, name="override_request"),
    path("<referral_ref:reference>/letter/", views.letter, name="letter"),
    path("<referral_ref:reference>/export/", views.export, name="export"),
    path(
        "<referral_ref:reference>/withdrawal-notice/",
        views.withdrawal_notice,
        name="withdrawal_notice",
    ),
    path("<referral_ref:reference>/packet/", views.packet, name="packet"),
    path("<referral_ref:reference>/respond/", views.respond, name="respond"),
    path("<referral_ref:reference>/route/", views.route, name="route"),
    path("<referral_ref:reference>/complete/", views.complete, name="complete"),
    path("<referral_ref:reference>/acknowledgement/", views.acknowledgement, name="ack"),
]
