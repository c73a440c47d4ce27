"""Load the five seed services, demo staff and demo families. Refuses to run outside demo mode."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from tooling import demo
from tooling.letter_translations import load_demo_letter_translations


class Command(BaseCommand):
    help = "Load demo services, staff (fixed password) and families. Demo mode only."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true", help="Run even if DEMO_MODE is off (tests only).")

    def handle(self, *args, **options):
        if not settings.DEMO_MODE and not options["force"]:
            raise CommandError("Demo data has a known password: set DEMO_MODE=1 (make run does) to load it.")
        demo.configure_seed_services()
        users = demo.create_demo_staff()
        families = demo.create_demo_referrals()
        load_demo_letter_translations()
        demo.load_demo_supervision_and_footage()  # keep last: it needs the demo cycles
        self.stdout.write(self.style.SUCCESS(f"Loaded 5 services, {len(users)} staff and {families} demo families."))
        self.stdout.write("")
        self.stdout.write(f"Demo sign-ins (password for all: {demo.DEMO_PASSWORD}):")
        for user in users:
            roles = ", ".join(
                sorted(
                    {
                        m.get_role_display() + (f" ({m.training_status})" if m.training_status else "")
                        for m in user.memberships.all()
                    }
                )
            )
            self.stdout.write(f"  {user.username:<13} {user.get_full_name():<20} {roles}")
