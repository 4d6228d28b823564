from django.core.management.base import BaseCommand

from portal.demo import DEMO_PASSWORD, DEMO_TOTP_SECRET, demo_accounts, seed_demo


class Command(BaseCommand):
    help = "Load demo municipalities, accounts and cases. Safe to run again: it adds nothing twice."

    def handle(self, *args, **options):
        created = seed_demo()
        self.stdout.write(
            f"Demo data ready ({created['municipalities']} municipalities and "
            f"{created['users']} accounts added)."
        )
        self.stdout.write(f"Password for every demo account: {DEMO_PASSWORD}")
        self.stdout.write(f"TOTP secret for every staff demo account: {DEMO_TOTP_SECRET}")
        for account in demo_accounts():
            self.stdout.write(f"  {account.role.label:<22} {account.email}")
