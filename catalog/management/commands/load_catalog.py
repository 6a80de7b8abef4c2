"""Load the committed seed catalog (fixtures/catalog.json).

`make serve` runs this with --if-empty so that a fresh database shows the
real catalog, while a database staff have already edited is left alone.
"""

from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from catalog.models import Paper

DEFAULT_FIXTURE = Path(settings.BASE_DIR) / "fixtures" / "catalog.json"


class Command(BaseCommand):
    help = "Load fixtures/catalog.json (the seed catalog) into the database."

    def add_arguments(self, parser):
        parser.add_argument("--fixture", default=str(DEFAULT_FIXTURE), help="Fixture to load.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if the database has papers."
        )

    def handle(self, *args, fixture, if_empty, **options):
        path = Path(fixture)
        if if_empty and Paper.objects.exists():
            if options["verbosity"]:
                self.stdout.write("The catalog already has papers; not loading the seed catalog.")
            return
        if not path.is_file():
            if if_empty:
                self.stdout.write(f"No seed catalog at {path}; starting with an empty catalog.")
                return
            raise CommandError(f"No fixture at {path}.")
        call_command("loaddata", str(path), verbosity=options["verbosity"])
        # A fixture made on another backend has no stored search vectors.
        Paper.objects.all().refresh_search_index()
