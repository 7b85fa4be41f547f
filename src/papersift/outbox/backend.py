"""A Django e-mail backend that sends nothing: it writes each message to the outbox, in the caller's transaction.

Every mail papersift's code or its libraries (django-allauth's verification and password-reset mail) send goes
through ``EMAIL_BACKEND``, so all of it reaches SMTP only through the worker, and only if the change that caused
it committed.
"""

from __future__ import annotations

from django.core.mail.backends.base import BaseEmailBackend

from papersift.outbox import services


class OutboxBackend(BaseEmailBackend):
    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            services.enqueue(message, kind=getattr(message, "outbox_kind", "account"))
        return len(email_messages)
