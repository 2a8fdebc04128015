from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from agents.demo import demo_agents_create
from agents.demo_history import demo_history_create
from calls.demo import demo_calls_create
from contacts.demo import demo_contacts_create
from exoadmin.accounts.demo import demo_data_create
from exoadmin.live.publish import nobody_watching
from reports.demo import demo_daily_emails_create


class Command(BaseCommand):
    help = "Create the demo users and the sandbox's Exotel account (idempotent; development only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("Demo data is for development: refusing with EXOADMIN_ENV=production.")
        with nobody_watching():  # the product is not running yet: no screen is open
            logins = demo_data_create()
            # Each app seeds its own demo data after the accounts and users exist (one line per app).
            self.stdout.write(demo_agents_create())
            self.stdout.write(demo_history_create())
            self.stdout.write(f"Demo contacts in the local copy: {demo_contacts_create()}")
            self.stdout.write(demo_calls_create())
            self.stdout.write(demo_daily_emails_create())
        self.stdout.write("Demo logins (username / password):")
        for username, password, role in logins:
            self.stdout.write(f"  {role.label:<10} {username} / {password}")
