"""Undo an import run (see history.undo for what is undone and what is kept).

    manage.py undo_import (RUN_ID | --last) [--dry-run]

--last is the newest run that is not an undo and not undone yet. The undo is
itself recorded, as a run of kind "undo" with a revision per paper.
"""

from django.core.management.base import BaseCommand, CommandError

from history.models import ImportRun
from history.undo import UndoRefused, undo_run


class Command(BaseCommand):
    help = "Undo an import run: remove what it created, put back what it changed."

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("run_id", nargs="?", type=int, metavar="RUN_ID")
        which.add_argument("--last", action="store_true", help="The newest run not undone yet.")
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would be undone; change nothing."
        )

    def handle(self, *args, run_id, last, dry_run, **options):
        runs = ImportRun.objects.exclude(kind=ImportRun.Kind.UNDO)
        if last:
            run = runs.filter(undone_by__isnull=True).order_by("-pk").first()
            if run is None:
                raise CommandError("No import run to undo.")
        else:
            run = runs.filter(pk=run_id).first()
            if run is None:
                raise CommandError(f"No import run {run_id}.")
        try:
            result = undo_run(run, dry_run=dry_run)
        except UndoRefused as error:
            raise CommandError(f"{run} not undone: {error}") from error
        if options["verbosity"] >= 1:
            if dry_run:
                self.stdout.write(self.style.WARNING("Dry run: nothing was changed."))
            for title in result.removed:
                self.stdout.write(f"  removed: {title}")
            for title, fields in result.restored:
                self.stdout.write(f"  restored: {title} ({', '.join(fields) or 'sources'})")
            for line in result.kept:
                self.stdout.write(self.style.WARNING(f"  kept: {line}"))
            verdict = f"Undid {run}: {result.summary()}."
            if not dry_run:
                verdict += f" Recorded as import run {result.undo_run.pk}."
            self.stdout.write(self.style.SUCCESS(verdict))
