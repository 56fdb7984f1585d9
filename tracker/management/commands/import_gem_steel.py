from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from tracker.gem_import import GEM_ATTRIBUTION, GemImportError, gem_import


class Command(BaseCommand):
    help = (
        "Import a Global Energy Monitor Global Iron and Steel Tracker plant file (the full "
        "map file or its 24-column subset) as industrial projects. Rows whose country or "
        "status cannot be mapped are reported and skipped; the rest is imported in one "
        "transaction. Importing again updates the same projects (by GEM plant id)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path, help="The GEM CSV file.")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Check and count everything, then roll back: nothing is saved.",
        )

    def handle(self, *args, path: Path, dry_run: bool = False, **options):
        try:
            report = gem_import(path=path, dry_run=dry_run)
        except GemImportError as error:
            raise CommandError(str(error)) from error
        lines = report.summary_lines()
        style = self.style.WARNING if report.skipped else self.style.SUCCESS
        self.stdout.write(style(lines[0]))
        for line in lines[1:]:
            self.stdout.write(line)
        self.stdout.write(f"Attribution: {GEM_ATTRIBUTION} Licence: CC BY 4.0.")
