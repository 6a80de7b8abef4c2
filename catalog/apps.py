import sqlite3

from django.apps import AppConfig


def use_sqlite_real_parameter_limit(sender, connection, **kwargs):
    """Let bulk writes on SQLite use the library's real variable limit.

    Django 5.2 assumes SQLite's historical limit of 999 parameters per
    query, so a bulk insert of a 27-column model splits every 37 rows and
    an import's query count grows with its size. SQLite 3.32+ allows 32766
    (Debian's build more); Django 6.0 reads the limit from the connection,
    and this does the same.
    """
    if connection.vendor == "sqlite":
        limit = connection.connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        connection.features.max_query_params = limit


class CatalogConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "catalog"

    def ready(self):
        from django.db.backends.signals import connection_created

        from catalog import signals  # noqa: F401  (registers the deletion tombstones)
        from catalog.search import register_sqlite_functions

        connection_created.connect(register_sqlite_functions, dispatch_uid="papershelf_fold")
        connection_created.connect(
            use_sqlite_real_parameter_limit, dispatch_uid="papershelf_sqlite_limit"
        )
