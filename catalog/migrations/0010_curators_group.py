"""The "Curators" group: staff who curate the catalog in the admin.

It holds the permission to import from the admin (catalog.import_papers) and
what curating needs on papers, people and venues: view, add and change; and
delete on authorships, as removing an author from a paper deletes its row.
No other delete: deleting papers, people or venues stays with superusers.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Curators"
# (app label, model): the actions curators get on it.
GRANTS = {
    ("catalog", "paper"): ("view", "add", "change"),
    ("catalog", "authorship"): ("view", "add", "change", "delete"),
    ("catalog", "award"): ("view", "add", "change"),
    ("catalog", "papersource"): ("view",),
    ("catalog", "deletedpaper"): ("view",),
    ("people", "person"): ("view", "add", "change"),
    ("people", "personalias"): ("view", "add", "change"),
    ("venues", "venue"): ("view", "add", "change"),
    ("venues", "venuealias"): ("view", "add", "change"),
}
EXTRA = [("catalog", "import_papers")]


def codenames():
    for (app, model), actions in GRANTS.items():
        for action in actions:
            yield app, f"{action}_{model}"
    yield from EXTRA


def create_group(apps, schema_editor):
    # Permissions are normally created after all migrations ran
    # (post_migrate); a fresh database needs them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP)
    for app, codename in codenames():
        group.permissions.add(
            Permission.objects.get(content_type__app_label=app, codename=codename)
        )


def delete_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalog", "0009_pending_import"),
        ("people", "0001_initial"),
        ("venues", "0001_initial"),
    ]

    operations = [migrations.RunPython(create_group, delete_group)]
