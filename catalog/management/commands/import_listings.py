"""Import scraped paper listings into the catalog (or into a fixture).

    manage.py import_listings FILE [FILE ...] [--fixture PATH] [--dry-run]
        [--format {auto,FORMAT}] [--listing-year YEAR] [--skip-bad]

FORMAT is one of the formats registered in catalog.importer.parsing.PARSERS
(blog, abstracts, daily, bibtex).
Parsing (catalog.importer.parsing) is pure; writing
(catalog.importer.service) happens in one transaction, so a failed run
leaves the database as it was.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError

from catalog.importer.fixture import write_fixture
from catalog.importer.parsing import PARSERS, decode_listing, parse_listing
from catalog.importer.recording import RunInfo, file_info
from catalog.importer.records import ListingError
from catalog.importer.service import ImportReport, import_listings

# Larger inputs than this many bytes get progress lines as they are parsed.
_PROGRESS_BYTES = 1_000_000


class Command(BaseCommand):
    help = "Import paper listings (scraped pages or a lab's BibTeX file) into the catalog."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE", help="Listing files to import.")
        parser.add_argument(
            "--fixture",
            metavar="PATH",
            help="Write a Django fixture to PATH instead of touching the database.",
        )
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change; write nothing."
        )
        parser.add_argument(
            "--format",
            choices=("auto", *PARSERS),
            default="auto",
            help="Listing format (default: detect it from each file).",
        )
        parser.add_argument(
            "--listing-year",
            type=int,
            metavar="YEAR",
            help="Year of the daily format's year-less dates (default: inferred from entries).",
        )
        parser.add_argument(
            "--skip-bad",
            action="store_true",
            help="Import the entries that parse and list the ones skipped, instead of failing.",
        )

    def handle(self, *args, files, fixture, dry_run, format, listing_year, skip_bad, **options):
        self.verbosity = options["verbosity"]
        if listing_year is not None and not 1900 <= listing_year <= 2100:
            raise CommandError(f"--listing-year {listing_year} is not a plausible year.")
        if fixture and dry_run:
            raise CommandError("--fixture and --dry-run cannot be combined.")
        self.files = []
        listings = [self._parse(path, format, listing_year, skip_bad) for path in map(Path, files)]
        run = RunInfo(
            files=self.files,
            format=format,
            options={"listing_year": listing_year, "skip_bad": skip_bad},
        )
        try:
            if fixture:
                report = write_fixture(listings, Path(fixture))
            else:
                report = import_listings(listings, dry_run=dry_run, run=run)
        except (DatabaseError, OSError) as error:
            raise CommandError(f"Import failed, nothing was written: {error}") from error
        self._print_report(report, fixture)

    def _parse(self, path: Path, format: str, listing_year, skip_bad: bool):
        try:
            size = path.stat().st_size
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from error
        if self.verbosity >= 1 and size > _PROGRESS_BYTES:
            self.stderr.write(f"Parsing {path.name} ({size / 1e6:.1f} MB)…")
        try:
            # The file's bytes live only while they are decoded: parsing holds
            # the text and the entries, not a third copy.
            text = self._decode(path)
            listing = parse_listing(
                text,
                source_file=path.name,
                format=format,
                listing_year=listing_year,
                skip_bad=skip_bad,
                prepared=True,
            )
        except ListingError as error:
            raise CommandError(f"{error} (nothing was imported)") from error
        if self.verbosity >= 1 and size > _PROGRESS_BYTES:
            self.stderr.write(f"  {len(listing.entries)} entries parsed.")
        return listing

    def _decode(self, path: Path) -> str:
        try:
            data = path.read_bytes()
        except OSError as error:
            raise CommandError(f"{path}: cannot read the file ({error.strerror}).") from error
        self.files.append(file_info(path.name, data))
        return decode_listing(data, path.name)

    def _print_report(self, report: ImportReport, fixture) -> None:
        out, style = self.stdout, self.style
        if self.verbosity < 1:
            return
        for summary in report.files:
            line = f"{summary.name}: {summary.entries} entries ({summary.format})"
            if summary.listing_year:
                line += f"; year-less dates read as {summary.listing_year}"
                line += f" ({summary.listing_year_reason})" if summary.listing_year_reason else ""
            out.write(line)
            for skipped in summary.skipped:
                out.write(style.WARNING(f"  skipped: {skipped}"))
        if report.dry_run:
            out.write(style.WARNING("Dry run: nothing was written."))
        out.write(
            f"Papers: {len(report.created)} created, {len(report.updated)} updated, "
            f"{report.unchanged} unchanged, {report.merged} entries merged into other papers."
        )
        out.write(f"People created: {report.people_created}.")
        for line in report.people_flagged:
            out.write(style.WARNING(f"  flagged for merging: {line}"))
        if report.venues_created:
            out.write(f"Venues created: {', '.join(report.venues_created)}.")
        if report.awards_created:
            out.write(f"Awards created: {', '.join(report.awards_created)}.")
        if self.verbosity >= 2:
            for title in report.created:
                out.write(f"  created: {title}")
            for title, fields in report.updated:
                out.write(f"  updated: {title} ({', '.join(fields)})")
            for surname, name in report.surname_links:
                out.write(f"  surname “{surname}” linked to {name}")
        out.write(f"Flagged for review: {len(report.flagged)}.")
        for title, reasons in report.flagged:
            out.write(f"  {title}: {'; '.join(reasons)}")
        if report.conflicts:
            out.write(style.WARNING(f"Conflicts with staff edits: {len(report.conflicts)}."))
            for conflict in report.conflicts:
                out.write(f"  {conflict}")
        else:
            out.write("Conflicts with staff edits: 0.")
        for line in report.deleted_skipped:
            out.write(style.WARNING(f"  deleted by staff: {line}"))
        if fixture:
            out.write(style.SUCCESS(f"Wrote fixture {fixture}."))
        elif not report.dry_run:
            verdict = "Imported." if report.changed else "No changes: the catalog already matches."
            out.write(style.SUCCESS(f"{verdict} Recorded as import run {report.run_id}."))
