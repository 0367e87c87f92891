from django.db import migrations

from confguide.permissions import grant_to_editors, revoke_from_editors

CONTENT_MODELS = ["post", "postsection", "featuredsession"]


def grant(apps, schema_editor):
    grant_to_editors(apps, "blog", CONTENT_MODELS)


def revoke(apps, schema_editor):
    revoke_from_editors(apps, "blog", CONTENT_MODELS)


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_posts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
