"""The "Editors" group: staff who curate content but never manage accounts.

Each app's data migration grants the group its content models through
grant_to_editors, so the group follows the models as apps add them.
"""

EDITORS_GROUP = "Editors"
ACTIONS = ("add", "change", "delete", "view")


def grant_to_editors(apps, app_label: str, model_names: list[str], actions=ACTIONS) -> None:
    from django.contrib.auth.management import create_permissions

    # Permissions are normally created after migrate finishes; a data
    # migration needs them now. Historical app configs have no models module,
    # which would make create_permissions skip them.
    app_config = apps.get_app_config(app_label)
    app_config.models_module = True
    create_permissions(app_config, apps=apps, verbosity=0)

    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=EDITORS_GROUP)
    codenames = [f"{action}_{model}" for model in model_names for action in actions]
    group.permissions.add(
        *Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames)
    )


def revoke_from_editors(apps, app_label: str, model_names: list[str]) -> None:
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=EDITORS_GROUP).first()
    if group:
        group.permissions.remove(
            *Permission.objects.filter(
                content_type__app_label=app_label, content_type__model__in=model_names
            )
        )
