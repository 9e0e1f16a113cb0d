from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from departments.services.csv_import import ImportRejected, csv_import


class Command(BaseCommand):
    help = (
        "Import units or accounts from a CSV file (layout recognised by its header). "
        "A file with any bad row is rejected whole and every problem is listed."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", type=Path)

    def handle(self, *args, path: Path, **options):
        try:
            data = path.read_bytes()
        except OSError as exc:
            raise CommandError(f"Cannot read {path}: {exc.strerror}") from None
        try:
            result = csv_import(data=data)
        except ImportRejected as exc:
            lines = [f"{path}: rejected, nothing was imported. {len(exc.errors)} problem(s):"]
            lines += [f"  {error}" for error in exc.errors]
            raise CommandError("\n".join(lines)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{path}: {result.rows} {result.layout} rows: {result.created} created, "
                f"{result.updated} updated, {result.unchanged} unchanged."
            )
        )
