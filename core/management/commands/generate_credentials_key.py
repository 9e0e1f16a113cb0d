from cryptography.fernet import Fernet
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Print a new Fernet key for GOVSOCIAL_CREDENTIALS_KEYS (put it first; keep the old ones after it)."

    def handle(self, *args, **options):
        self.stdout.write(Fernet.generate_key().decode())
