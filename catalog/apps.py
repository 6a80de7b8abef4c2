from django.apps import AppConfig


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self):
        from django.db.backends.signals import connection_created

        from catalog import signals  # noqa: F401  (registers the deletion tombstones)
        from catalog.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="papershelf_fold")
