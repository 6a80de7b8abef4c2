"""Import papers by arXiv id or DOI, looked up at arXiv and the DOI resolver.

    manage.py import_identifiers ID [ID ...] [--dry-run] [--skip-bad]

IDs mix freely: 2201.07311, arXiv:2201.07311v2, https://arxiv.org/abs/...,
10.1145/..., doi:10.1145/..., https://doi.org/10.1145/.... The answers become
listing records (catalog.importer.lookups) and go through the same merge and
write path as import_listings, in one transaction: they fill the gaps of the
papers they match and create the others.

An identifier that cannot be looked up fails the whole run before anything
is written (non-zero exit, one line per identifier saying why), unless
--skip-bad, which imports the rest and lists what it skipped.
"""

from django.conf import settings
from django.core.management.base import CommandError
from django.db import DatabaseError

from catalog.importer.lookups import Lookups, LookupSettings
from catalog.importer.recording import RunInfo
from catalog.importer.service import import_listings
from catalog.management.commands.import_listings import Command as ImportListingsCommand


# The report is the one import_listings prints: a subclass shares it.
class Command(ImportListingsCommand):
    help = "Import papers by arXiv id or DOI (looked up online) into the catalog."

    def add_arguments(self, parser):
        parser.add_argument(
            "identifiers",
            nargs="+",
            metavar="ID",
            help="arXiv ids or DOIs, bare, prefixed (arXiv:, doi:) or as URLs.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Import the identifiers that were found and list the others, instead of failing.",
        )

    def handle(self, *args, identifiers, dry_run, skip_bad, **options):
        self.verbosity = options["verbosity"]
        if self.verbosity >= 1:
            if not settings.CONTACT_EMAIL:
                self.stderr.write(
                    self.style.WARNING(
                        "CONTACT_EMAIL is not set: arXiv and the DOI registries ask callers "
                        "for a contact address (sent in the User-Agent)."
                    )
                )
            self.stderr.write(f"Looking up {len(identifiers)} identifier(s)…")
        listing = Lookups(lookup_settings()).look_up(identifiers)
        if listing.skipped and not skip_bad:
            failures = "\n".join(f"  {error}" for error in listing.skipped)
            raise CommandError(
                f"{len(listing.skipped)} of {len(identifiers)} identifier(s) could not be "
                f"looked up; nothing was imported (--skip-bad imports the others):\n{failures}"
            )
        if not listing.entries:
            failures = "\n".join(f"  {error}" for error in listing.skipped)
            raise CommandError(f"No identifier could be looked up; nothing to import:\n{failures}")
        try:
            run = RunInfo(
                kind="lookup",
                files=[{"name": identifier} for identifier in identifiers],
                format="lookup",
                options={"skip_bad": skip_bad},
            )
            report = import_listings([listing], dry_run=dry_run, run=run)
        except DatabaseError as error:
            raise CommandError(f"Import failed, nothing was written: {error}") from error
        self._print_report(report, fixture=None)


def lookup_settings() -> LookupSettings:
    return LookupSettings(
        arxiv_api_url=settings.ARXIV_API_URL,
        doi_resolver_url=settings.DOI_RESOLVER_URL,
        contact_email=settings.CONTACT_EMAIL,
        arxiv_interval=settings.ARXIV_REQUEST_INTERVAL,
    )
