from django.core.management.base import BaseCommand, CommandError

from departments.hierarchy import hierarchy_load
from departments.services.csv_import import ImportRejected


class Command(BaseCommand):
    help = "Load the shipped hierarchy: states, districts (2025), state departments and district offices."

    def add_arguments(self, parser):
        parser.add_argument("--state", action="append", help="Only this state code (repeatable), e.g. BR.")

    def handle(self, *args, **options):
        try:
            result = hierarchy_load(states=options["state"])
        except ImportRejected as exc:
            raise CommandError("\n".join(str(error) for error in exc.errors)) from None
        self.stdout.write(
            self.style.SUCCESS(
                f"Hierarchy loaded: {result.created} units created, {result.updated} updated, "
                f"{result.unchanged} unchanged."
            )
        )
