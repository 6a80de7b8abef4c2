"""Check, or rebuild, the counts the database keeps for the browsing pages.

Triggers keep them exact on every write (catalog migration 0013), so this is
for when triggers did not run: a restore with `pg_restore --disable-triggers`
or under `session_replication_role = replica`, or a table copied in by hand.
"""

from django.core.management.base import BaseCommand, CommandError

from catalog import counts


class Command(BaseCommand):
    help = "Check (--check) or rebuild the per-venue, per-year, per-award and per-person counts."

    def add_arguments(self, parser):
        parser.add_argument(
            "--check",
            action="store_true",
            help="Only report differences; exit with an error when there are any.",
        )

    def handle(self, *args, check, **options):
        if check:
            lines = counts.differences()
            for line in lines[:50]:
                self.stdout.write(line)
            if lines:
                raise CommandError(f"{len(lines)} counts differ from the catalog.")
            if options["verbosity"]:
                self.stdout.write(self.style.SUCCESS("The counts are exact."))
            return
        counts.recount()
        if options["verbosity"]:
            self.stdout.write(self.style.SUCCESS("Recounted."))
