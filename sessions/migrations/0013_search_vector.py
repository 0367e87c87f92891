import django.contrib.postgres.search
from django.db import migrations

import sessions.search.documents


def fill_search_vectors(apps, schema_editor):
    """Every existing session gets its document (one UPDATE; nothing on SQLite)."""
    Session = apps.get_model("conference", "Session")
    SessionSpeaker = apps.get_model("conference", "SessionSpeaker")
    sessions.search.documents.update_search_vectors(
        Session.objects.using(schema_editor.connection.alias).all(), SessionSpeaker
    )


class Migration(migrations.Migration):
    dependencies = [
        ("conference", "0012_savedsession_plan"),
    ]

    operations = [
        migrations.AddField(
            model_name="session",
            name="search_vector",
            field=django.contrib.postgres.search.SearchVectorField(
                blank=True, editable=False, null=True
            ),
        ),
        migrations.AddIndex(
            model_name="session",
            index=sessions.search.documents.SearchVectorIndex(
                fields=["search_vector"], name="session_search_vector"
            ),
        ),
        migrations.RunPython(fill_search_vectors, migrations.RunPython.noop, elidable=True),
    ]
