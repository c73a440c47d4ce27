"""Write a picture of each kind of letter (family, referrer, handover, decline) under docs/letters/ for the README."""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from referrals.models import Referral
from tooling import letter_pictures
from tooling.demo import DEMO_FAMILIES


class Command(BaseCommand):
    help = "Make docs/letters/<kind>.png from the demo's families (demo data loaded; nothing is kept in the database)."

    def add_arguments(self, parser):
        parser.add_argument("--out", default=str(Path(settings.BASE_DIR) / "docs" / "letters"))

    def handle(self, *args, **options):
        names = {row[4] for row in DEMO_FAMILIES}
        if not {letter_pictures.DISCHARGED_PARENT, letter_pictures.DECLINED_PARENT} <= names or not (
            Referral.objects.filter(parents__name=letter_pictures.DISCHARGED_PARENT).exists()
        ):
            raise CommandError("Load the demo first: DEMO_MODE=1 python manage.py load_demo_data")
        for path in letter_pictures.write_pictures(Path(options["out"])):
            self.stdout.write(f"{path.name}: {path.stat().st_size // 1024} KB")
