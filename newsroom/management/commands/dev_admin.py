from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.urls import reverse

USERNAME = "admin"
PASSWORD = "admin"


class Command(BaseCommand):
    help = "With DEBUG on, create a development superuser once and say how to log in."

    def add_arguments(self, parser):
        parser.add_argument(
            "--address", default="127.0.0.1:8000", help="Where the site is served: host:port."
        )

    def handle(self, *args, **options):
        if not settings.DEBUG:
            raise CommandError("dev_admin only runs with DEBUG on; use createsuperuser.")
        User = get_user_model()
        if not User.objects.filter(username=USERNAME).exists():
            User.objects.create_superuser(USERNAME, "admin@example.com", PASSWORD)
            self.stdout.write(f"Created the development superuser “{USERNAME}”.")
        self.stdout.write(
            self.style.SUCCESS(
                f"Admin: http://{options['address']}{reverse('admin:index')}  "
                f"user: {USERNAME}  password: {PASSWORD}"
                " (development only; change it if this machine is shared)"
            )
        )
