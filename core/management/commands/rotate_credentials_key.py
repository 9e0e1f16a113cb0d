"""Re-encrypt every stored credential with the newest key (the first of GOVSOCIAL_CREDENTIALS_KEYS).

Rotation: generate a key (``manage.py generate_credentials_key``), put it first in
GOVSOCIAL_CREDENTIALS_KEYS keeping the old ones after it, restart, run this
command, then remove the old keys.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from departments.models import Account


class Command(BaseCommand):
    help = "Re-encrypt stored account credentials with the newest key."

    def handle(self, *args, **options):
        rotated = 0
        with transaction.atomic():
            # Reading decrypts with whichever key fits; writing encrypts with the newest.
            for pk, credentials in Account.objects.exclude(credentials=None).values_list("pk", "credentials"):
                Account.objects.filter(pk=pk).update(credentials=credentials)
                rotated += 1
        self.stdout.write(
            self.style.SUCCESS(f"Re-encrypted the credentials of {rotated} account(s) with the newest key.")
        )
