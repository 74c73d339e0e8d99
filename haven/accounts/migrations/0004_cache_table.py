"""The shared cache table (settings.CACHES), made with the other tables.

allauth marks each used authenticator code there, so that every worker refuses it a
second time; made by migration, so that `haven migrate` (and the application role's
grants after it) covers it like any other table.
"""

from django.core.management import call_command
from django.db import migrations


def create_cache_table(apps, schema_editor):
    call_command("createcachetable", database=schema_editor.connection.alias, verbosity=0)


class Migration(migrations.Migration):
    dependencies = [("accounts", "0003_second_factors_on_allauth")]

    operations = [migrations.RunPython(create_cache_table, migrations.RunPython.noop)]
