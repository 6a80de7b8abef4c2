from django.apps import AppConfig


class CoreConfig(AppConfig):
    """What catalog, people and venues share: slugs, the catalog-version cache,
    pagination, page mixins, the admin merge action, the year chart and the
    abstract named-and-slugged model. Depends on no other app of the project."""

    name = "core"
