"""One SMTP transaction in two phases, so that a crash can be told apart from a delivery.

An SMTP server takes responsibility for a message only when it has read the line ``.`` that ends DATA; a
connection that drops before that line leaves nothing delivered (RFC 5321, 4.1.1.4 and 6.1). ``transmit``
therefore sends MAIL, RCPT, DATA and the whole content, then calls ``before_end`` — which records in the
database that the end is about to be sent — and only then sends the final ``.``. A process killed before that
record is committed has delivered nothing, and its message can be sent again; killed after it, the message
has (almost surely) been delivered, and is not. The connection itself is opened, secured (STARTTLS or TLS) and
authenticated by Django's SMTP backend; only the DATA phase is split here, on the connection it opened.
"""

from __future__ import annotations

import re
import smtplib
import socket
from typing import Callable

_EOL = re.compile(rb"\r\n|\r|\n")
_LEADING_DOT = re.compile(rb"(?m)^\.")


class EndRefused(Exception):
    """``before_end`` declined (the claim was lost, or the database is away): the message was not completed."""


def dot_stuffed(data: bytes) -> bytes:
    """The message as DATA carries it: CRLF line ends, a leading dot doubled, ending in CRLF (not the end mark)."""
    data = _LEADING_DOT.sub(b"..", _EOL.sub(b"\r\n", data))
    return data if data.endswith(b"\r\n") else data + b"\r\n"


def transmit(connection: smtplib.SMTP, sender: str, recipients: list[str], data: bytes,
             before_end: Callable[[], bool]) -> dict[str, tuple[int, bytes]]:
    """Send one message; returns the recipients the server refused (some, not all) as smtplib does.

    Raises smtplib's exceptions for refusals (sender, all recipients, DATA, or the final reply), and
    ``EndRefused`` when ``before_end`` returns False; in both cases nothing was delivered, except for a
    refusal of the final reply, which the server makes after reading the whole message (it keeps nothing).
    """
    connection.ehlo_or_helo_if_needed()
    code, reply = connection.mail(sender)
    if code != 250:
        _reset(connection)
        raise smtplib.SMTPSenderRefused(code, reply, sender)
    refused = {}
    for recipient in recipients:
        code, reply = connection.rcpt(recipient)
        if code not in (250, 251):
            refused[recipient] = (code, reply)
    if len(refused) == len(recipients):
        _reset(connection)
        raise smtplib.SMTPRecipientsRefused(refused)
    code, reply = connection.docmd("data")
    if code != 354:
        _reset(connection)
        raise smtplib.SMTPDataError(code, reply)
    _no_delay(connection)
    connection.send(dot_stuffed(data))
    if not before_end():
        connection.close()      # drop the connection mid-DATA: the server discards the message
        raise EndRefused("the message was not completed: its claim is no longer this worker's")
    connection.send(b".\r\n")
    code, reply = connection.getreply()
    if code != 250:
        raise smtplib.SMTPDataError(code, reply)
    return refused


def _no_delay(connection: smtplib.SMTP) -> None:
    """Send the short end mark at once: with Nagle's algorithm it waits for the ACK of the content, which the
    server delays (40 ms on Linux), capping delivery at ~25 messages a second (measured, bench/digests.py)."""
    try:
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        pass


def _reset(connection: smtplib.SMTP) -> None:
    try:
        connection.rset()
    except smtplib.SMTPException:
        pass
