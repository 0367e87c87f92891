from django.db import migrations

from confguide.permissions import grant_to_editors, revoke_from_editors

# Editors see whether the mail about their leads went out: the queued, failed
# and finished tasks, read-only (django-tasks-db's admin allows no changes).


def grant(apps, schema_editor):
    grant_to_editors(apps, "django_tasks_database", ["dbtaskresult"], actions=("view",))


def revoke(apps, schema_editor):
    revoke_from_editors(apps, "django_tasks_database", ["dbtaskresult"])


class Migration(migrations.Migration):
    dependencies = [
        ("confguide", "0004_attendee_schedule_settings"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
