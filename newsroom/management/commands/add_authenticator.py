"""Set up an authenticator app (TOTP) as a staff member's second factor."""

import io

import qrcode
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice


class Command(BaseCommand):
    help = (
        "Give a staff member an authenticator app as a second factor: prints a QR code and "
        "the otpauth:// link to scan or type in. Replaces any earlier one with --replace."
    )

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--replace", action="store_true", help="Remove earlier ones first.")

    def handle(self, username, replace, **options):
        user = get_user_model().objects.filter(username=username).first()
        if user is None:
            raise CommandError(f"No user named {username!r}.")
        devices = TOTPDevice.objects.filter(user=user)
        if devices.exists() and not replace:
            raise CommandError(
                f"{username} already has an authenticator; use --replace to set up a new one."
            )
        devices.delete()
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
        code = qrcode.QRCode(border=1)
        code.add_data(device.config_url)
        picture = io.StringIO()
        code.print_ascii(out=picture, invert=True)
        self.stdout.write(picture.getvalue())
        self.stdout.write(f"Scan the code above, or add this link to the app:\n{device.config_url}")
        self.stdout.write(self.style.SUCCESS(f"{username} now signs in with a code from that app."))
