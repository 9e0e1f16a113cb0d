"""Poll now, in this process, with a progress bar (the worker does the same on beat's schedule)."""

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from departments.choices import Platform
from departments.models import Account
from metrics.choices import RunTrigger
from metrics.platforms import get_client
from metrics.platforms.base import PlatformError
from metrics.services.polling import poll_batch_execute, poll_run_create


class Command(BaseCommand):
    help = "Poll follower counts and new posts now. Rate-limited batches are left to the worker."

    def add_arguments(self, parser):
        parser.add_argument("--platform", choices=Platform.values, action="append", help="Repeatable; default all.")
        parser.add_argument("--state", help="Only this state's accounts, e.g. BR.")
        parser.add_argument("--account", type=int, action="append", help="Only this account id (repeatable).")
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, platform, state, account, no_progress, **options):
        if account and not Account.objects.filter(pk__in=account).exists():
            raise CommandError(f"No account with id {', '.join(map(str, account))}.")
        for name in platform or Platform.values:
            client = get_client(name)
            run = poll_run_create(
                platform=name, trigger=RunTrigger.COMMAND, state=state, account_ids=account, enqueue=False
            )
            left_to_worker = []
            bar = tqdm(
                total=run.accounts_total,
                desc=f"{name:<8}",
                unit="acct",
                disable=no_progress,
                file=self.stderr._out,
            )
            for batch in run.batches.order_by("index"):
                try:
                    poll_batch_execute(batch_id=batch.pk, client=client)
                except PlatformError as exc:
                    left_to_worker.append(batch.pk)
                    bar.write(f"{name}: batch {batch.index}: {exc.message} (left to the worker)")
                bar.update(len(batch.account_ids))
            bar.close()
            if left_to_worker:
                from metrics.tasks import poll_batch

                for batch_id in left_to_worker:
                    poll_batch.delay(batch_id)
            run.refresh_from_db()
            errors = ", ".join(f"{kind} {count}" for kind, count in sorted(run.errors.items())) or "none"
            self.stdout.write(
                f"{name}: run {run.pk} {run.get_status_display().lower()}: {run.accounts_done}/{run.accounts_total} "
                f"accounts, {run.snapshots_written} snapshots, {run.posts_written} posts, "
                f"{run.api_calls} API calls; errors: {errors}"
            )
