"""Index the name parts of people recorded before name-part search existed.

Adds the name_token, name_latin and name_sound rows (see haven/people/names.py) next to
the whole-name and document rows already there, so `make run` on an existing database
finds existing people by any name part. `haven people reindex` does the same at any time.
"""

from django.db import migrations, models


def index_name_parts(apps, schema_editor):
    from haven.people import names

    Person = apps.get_model("people", "Person")
    PersonIndex = apps.get_model("people", "PersonIndex")
    for person in Person.objects.order_by("pk").iterator(chunk_size=200):
        entries = names.name_entries(
            [person.full_name, person.given_name, person.family_name, *person.aliases]
        )
        PersonIndex.objects.bulk_create(
            [PersonIndex(person=person, kind=kind, digest=digest) for kind, digest in entries],
            ignore_conflicts=True,
        )


class Migration(migrations.Migration):

    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AlterField(
            model_name="personindex",
            name="kind",
            field=models.CharField(
                choices=[
                    ("name", "name"),
                    ("name_token", "name part"),
                    ("name_latin", "name part in Latin letters"),
                    ("name_sound", "sound of a name part"),
                    ("document", "document number"),
                ],
                max_length=16,
            ),
        ),
        migrations.RunPython(index_name_parts, migrations.RunPython.noop),
    ]
