from django.db import migrations

from confguide.permissions import grant_to_editors, revoke_from_editors

# Editors triage leads (the issue asks them to), so they may view and change a
# message's status and note. They may not add messages (only the form does) or
# delete them: removing a person's data on request is left to a superuser.
ACTIONS = ("view", "change")


def grant(apps, schema_editor):
    grant_to_editors(apps, "confguide", ["contactmessage"], actions=ACTIONS)


def revoke(apps, schema_editor):
    revoke_from_editors(apps, "confguide", ["contactmessage"])


class Migration(migrations.Migration):
    dependencies = [
        ("confguide", "0002_contact_message"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
