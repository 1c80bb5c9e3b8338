from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangesConfig(AppConfig):
    name = "exchanges"
    verbose_name = _("Prisoner exchanges")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # The change log follows every save and delete, wherever it happens.
        from . import audit, changes, checks, history  # noqa: F401 (checks register themselves)

        changes.connect()
        audit.connect()
        history.register()
