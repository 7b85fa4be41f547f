from django.apps import AppConfig
from django.conf import settings
from django.db.models.signals import pre_delete


class DigestsConfig(AppConfig):
    name = "papersift.digests"
    label = "digests"
    verbose_name = "E-mail digests"

    def ready(self):
        from papersift.digests.services import account_deleted

        # An account's deletion ends every digest to its addresses, not only those made while signed in.
        pre_delete.connect(account_deleted, sender=settings.AUTH_USER_MODEL, dispatch_uid="digests.account_deleted")
