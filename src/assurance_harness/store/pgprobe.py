"""Whether the server at a team store's address speaks PostgreSQL, asked once a connection has
failed without the server's own words: libpq says "connection timeout expired" or "received
invalid response to SSL negotiation: H" when the port is a web server's or an SSH server's,
which names neither the address nor the mistake.

The probe opens one TCP connection, sends a protocol 3.0 startup message for the URL's user and
database (no TLS, which would need a handshake to learn anything) and reads the first bytes.
A PostgreSQL server (or a pooler in front of one) answers with an authentication request
(``R``), an error (``E``) or a protocol negotiation (``v``), each a type byte and a 4-byte length;
anything else is another protocol. It is never asked before a connection is tried: each probe
costs the server a backend, and a working store should cost none.
"""

from __future__ import annotations

import socket
import struct
import time
from dataclasses import dataclass
from typing import Literal

Verdict = Literal["postgresql", "other", "silent", "unreachable"]
"""``postgresql``: it answered as PostgreSQL does; ``other``: it answered in another protocol,
or closed the connection without a word; ``silent``: it accepted the connection and said
nothing; ``unreachable``: no connection (refused, no route, or none accepted in time)."""

_PROTOCOL_3 = 196608
_TYPES = frozenset(b"REv")
_LONGEST = 1 << 16
"""Longer than any first message a PostgreSQL server sends (an error's text, the SASL
mechanisms): a length past it is another protocol's bytes read as one."""


@dataclass(frozen=True)
class Probe:
    verdict: Verdict
    answer: bytes = b""
    """The first bytes the server sent (for ``other``: shown to the user)."""

    def shown(self) -> str:
        """The answer's first line, printable, at most 40 characters, for the error line."""
        text = self.answer.split(b"\n")[0].rstrip(b"\r")[:40].decode("latin-1")
        return "".join(c if c.isprintable() and ord(c) < 127 else "?" for c in text)


def _startup(user: str, database: str) -> bytes:
    body = struct.pack("!i", _PROTOCOL_3)
    for key, value in (("user", user), ("database", database)):
        body += key.encode() + b"\0" + value.encode("utf-8", "replace") + b"\0"
    body += b"\0"
    return struct.pack("!i", len(body) + 4) + body


def probe(
    host: str, port: int, user: str, database: str, *, timeout: float, wait: float | None = None
) -> Probe:
    """What answers a PostgreSQL startup message at ``host:port``, waiting at most ``timeout``
    seconds to connect and ``wait`` (default: as long again) for the first five bytes."""
    try:
        conn = socket.create_connection((host, port), timeout=timeout)
    except OSError:
        return Probe("unreachable")
    with conn:
        got, closed = b"", False
        deadline = time.monotonic() + (timeout if wait is None else wait)
        try:
            conn.sendall(_startup(user, database))
            while len(got) < 5:
                conn.settimeout(max(deadline - time.monotonic(), 0.01))
                chunk = conn.recv(64)
                if not chunk:
                    closed = True
                    break
                got += chunk
        except TimeoutError:
            pass
        except OSError:
            return Probe("other", got) if got else Probe("unreachable")
    if not got:
        return Probe("other") if closed else Probe("silent")
    if len(got) >= 5 and got[0] in _TYPES:
        (length,) = struct.unpack("!i", got[1:5])
        if 4 <= length <= _LONGEST:
            return Probe("postgresql", got)
    return Probe("other", got)
