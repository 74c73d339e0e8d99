"""Move second factors and lockouts onto django-allauth[mfa] and django-axes.

Every confirmed authenticator secret becomes an allauth TOTP authenticator, sealed with
Haven's key ring as before, so nobody enrols again. An account locked at the time of the
upgrade stays locked until its lockout would have ended. The audit rows of sign-in events
are untouched (same action names). Reversible: the secrets move back.
"""

import datetime as dt

from django.conf import settings
from django.db import migrations, models

SECRET_CONTEXT = "mfa.authenticator"


def forwards(apps, schema_editor):
    from haven.core import crypto

    User = apps.get_model("accounts", "User")
    Authenticator = apps.get_model("mfa", "Authenticator")
    AccessAttempt = apps.get_model("axes", "AccessAttempt")
    cool_off = dt.timedelta(minutes=settings.HAVEN_LOCKOUT_MINUTES)
    for user in User.objects.all().iterator():
        if user.totp_confirmed and user.totp_secret:
            Authenticator.objects.get_or_create(
                user_id=user.pk,
                type="totp",
                defaults={"data": {"secret": crypto.encrypt(user.totp_secret, SECRET_CONTEXT)}},
            )
        if user.locked_until is not None:
            attempt = AccessAttempt.objects.create(
                username=user.username,
                user_agent="",
                ip_address=None,
                http_accept="",
                path_info="",
                get_data="",
                post_data="",
                failures_since_start=settings.HAVEN_LOCKOUT_THRESHOLD,
            )
            AccessAttempt.objects.filter(pk=attempt.pk).update(
                attempt_time=user.locked_until - cool_off
            )


def backwards(apps, schema_editor):
    from haven.core import crypto

    User = apps.get_model("accounts", "User")
    Authenticator = apps.get_model("mfa", "Authenticator")
    for authenticator in Authenticator.objects.filter(type="totp"):
        User.objects.filter(pk=authenticator.user_id).update(
            # The field seals the value itself.
            totp_secret=crypto.decrypt(authenticator.data["secret"], SECRET_CONTEXT),
            totp_confirmed=True,
        )


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_organisation_jurisdiction"),
        ("mfa", "0003_authenticator_type_uniq"),
        ("axes", "0010_accessattemptexpiration"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="require_passkey",
            field=models.BooleanField(
                default=False, verbose_name="require a passkey or security key"
            ),
        ),
        migrations.AddField(
            model_name="user",
            name="must_change_password",
            field=models.BooleanField(default=False),
        ),
        migrations.RunPython(forwards, backwards),
        migrations.RemoveField(model_name="user", name="totp_secret"),
        migrations.RemoveField(model_name="user", name="totp_confirmed"),
        migrations.RemoveField(model_name="user", name="totp_last_step"),
        migrations.RemoveField(model_name="user", name="failed_logins"),
        migrations.RemoveField(model_name="user", name="locked_until"),
    ]
