"""The importer's `seeded` catalog (the seed listings imported, run 1)."""

from tests.importer.conftest import seed_import_snapshot, seeded  # noqa: F401
