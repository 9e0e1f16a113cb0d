from django.core.management.base import BaseCommand, CommandError

from core.demo import DEMO_PASSWORD, demo_seed
from departments.models import Unit


class Command(BaseCommand):
    help = "Create the demo users (one per role) and demo accounts on the simulated platform. Idempotent."

    def add_arguments(self, parser):
        parser.add_argument("--history-days", type=int, default=90, help="Days of simulated history (0 for none).")

    def handle(self, *args, history_days: int, **options):
        if not Unit.objects.exists():
            raise CommandError("No units yet: run `manage.py load_hierarchy` first.")
        self.stdout.write(
            f"Creating demo users and accounts; on the first run also {history_days} days of simulated history "
            "(about a minute)…"
        )
        result = demo_seed(history_days=history_days)
        history = result["history"]
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data ready: {result['accounts']} new accounts; history: {history['snapshots']} snapshots, "
                f"{history['posts']} posts; {result['flags']} compliance flags raised; "
                f"{result['notices']} show-cause notices issued; {result['campaigns']} campaigns; "
                f"{result['staff']} staff on rosters."
            )
        )
        for user in result["users"]:
            scope = user.district or user.state or "all states"
            self.stdout.write(f"  {user.username:<16} {DEMO_PASSWORD}   {user.get_role_display()} — {scope}")
