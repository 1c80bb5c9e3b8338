import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from exchanges.models import Partner, PartnerAPIKey


class Command(BaseCommand):
    help = "Create an API key for a partner outlet (created if new) and print it, once."

    def add_arguments(self, parser):
        parser.add_argument("partner", help="The partner's name, e.g. “Kyiv Independent”.")
        parser.add_argument("--name", default="", help="What the key is for; defaults to today.")
        parser.add_argument("--expires-in-days", type=int, help="Days until the key expires.")

    def handle(self, *args, partner, name, expires_in_days, **options):
        if not partner.strip():
            raise CommandError("Give the partner's name.")
        if expires_in_days is not None and expires_in_days < 1:
            raise CommandError("--expires-in-days must be 1 or more.")
        outlet, created = Partner.objects.get_or_create(name=partner.strip())
        expiry = (
            timezone.now() + datetime.timedelta(days=expires_in_days) if expires_in_days else None
        )
        api_key, key = PartnerAPIKey.objects.create_key(
            partner=outlet,
            name=name or f"key of {timezone.localdate().isoformat()}",
            expiry_date=expiry,
        )
        if created:
            self.stderr.write(f"Created the partner “{outlet}”.")
        self.stderr.write(
            f"Key {api_key.prefix}… for {outlet}. Store it now: it is not shown again. "
            "Send it as “Authorization: Api-Key <key>”."
        )
        self.stdout.write(key)
