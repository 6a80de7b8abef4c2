"""The importer's `seeded` catalog (the seed listings imported, as one run)."""

from tests.importer.conftest import seed_import_snapshot, seeded  # noqa: F401
