"""A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every message it accepts, for the tests to read.

Options for the delivery tests: ``tls`` ("starttls" or "tls", with a certificate from a test CA), ``users``
(AUTH LOGIN/PLAIN), ``replies`` (a queue of SMTP replies to give instead of accepting, e.g. "451 try later"),
``refuse`` (recipients refused at RCPT, with the reply),
and ``hold`` (pause in the RCPT or DATA stage of a given message until released, so a test can kill the client
at exactly that point).
"""

from __future__ import annotations

import asyncio
import ssl
import threading
import time
from email import message_from_bytes, policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.ports import port_of, reserved


class _Keeper:
    def __init__(self, server: "SmtpServer"):
        self.server = server
        self.messages: list[EmailMessage] = []
        self.started = 0     # transactions that reached RCPT

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802 - aiosmtpd's
        self.started += 1
        await self.server._pause("rcpt", self.started)
        if address in self.server.refuse:
            return self.server.refuse[address]
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        if self.server.replies:
            return self.server.replies.pop(0)
        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message.envelope_from = envelope.mail_from
        message.envelope_to = list(envelope.rcpt_tos)
        message.raw = envelope.original_content
        self.messages.append(message)
        # Like a real MTA, the message is kept once its end has been read, before the reply is written; a hold
        # here is a client that dies between handing the message over and hearing that it was taken.
        await self.server._pause("data", self.started)
        return "250 OK"


class _Controller(Controller):
    """aiosmtpd's controller listening on a socket bound beforehand (its own would bind by port number)."""

    def __init__(self, handler, sock, **kwargs):
        self._sock = sock
        super().__init__(handler, hostname="127.0.0.1", port=port_of(sock), **kwargs)

    def _create_server(self):
        return self.loop.create_server(self._factory_invoker, sock=self._sock, ssl=self.ssl_context)


class SmtpServer:
    """The port is reserved when the server is made (`tests/ports.py`): until `start`, connections to it are
    refused, which is how the tests play an SMTP server that is down."""

    def __init__(self, *, tls: str = "", certificate=None, users: dict[str, str] | None = None):
        self._sock = reserved()
        self.port = port_of(self._sock)
        self.keeper = _Keeper(self)
        self.controller: Controller | None = None
        self.tls, self.certificate, self.users = tls, certificate, users or {}
        self.replies: list[str] = []
        self.refuse: dict[str, str] = {}              # recipient -> the RCPT reply that refuses it
        self.hold: tuple[str, int] | None = None     # ("rcpt" | "data", message number)
        self.held = threading.Event()                 # set when a message is being held
        self.release = threading.Event()

    @property
    def messages(self) -> list[EmailMessage]:
        return self.keeper.messages

    async def _pause(self, stage: str, number: int) -> None:
        if self.hold == (stage, number):
            self.held.set()
            while not self.release.is_set():
                await asyncio.sleep(0.01)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        if isinstance(auth_data, LoginPassword) and \
                self.users.get(auth_data.login.decode()) == auth_data.password.decode():
            return AuthResult(success=True)
        return AuthResult(success=False, handled=False)

    def _context(self) -> ssl.SSLContext:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self.certificate.configure_cert(context)
        return context

    def start(self) -> "SmtpServer":
        kwargs: dict = {}
        server_kwargs: dict = {}
        if self.tls == "tls":
            kwargs["ssl_context"] = self._context()
        elif self.tls == "starttls":
            server_kwargs.update(tls_context=self._context(), require_starttls=True)
        if self.users:
            server_kwargs.update(authenticator=self._authenticate, auth_required=True,
                                 auth_require_tls=self.tls == "starttls")  # implicit TLS: aiosmtpd cannot tell
        self.controller = _Controller(self.keeper, self._sock, **server_kwargs, **kwargs)
        self.controller.start()
        return self

    def stop(self) -> None:
        self.release.set()
        if self.controller is not None:
            self.controller.stop()
            self.controller = None
        self._sock.close()

    def wait_for(self, count: int, timeout: float = 10) -> list[EmailMessage]:
        deadline = time.monotonic() + timeout
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.messages
