"""What keeps the local app safe to open on model output: a content-security policy with no
script source at all, a CSRF token on every POST (double submit: cookie and form field) that
only the app's own origin may send (``Origin``, ``Sec-Fetch-Site``), and a Host check so a page
on another site cannot reach the app through DNS rebinding."""

from __future__ import annotations

import hmac
import ipaddress
import re
import secrets
import urllib.parse
from collections.abc import Awaitable, Callable, MutableMapping

from aiohttp import web

CSP = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)
"""No ``script-src``: nothing executes, whatever a response contains."""
REPORT_CSP = "sandbox; default-src 'none'; style-src 'unsafe-inline'; img-src data:"
"""For the run's own report.html, served as is: sandboxed, no script, no requests."""
CSRF_COOKIE = "assurance_csrf"
CSRF_FIELD = "csrf_token"

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
HOSTS_KEY = web.AppKey("allowed_hosts", set)
NEW_CSRF_KEY = web.RequestKey("new_csrf", str)


def csrf_token(request: web.Request) -> str:
    """The token for forms on this page (the cookie's, or a new one the response sets)."""
    token = request.cookies.get(CSRF_COOKIE)
    if not token or len(token) < 32:
        token = request.get(NEW_CSRF_KEY) or secrets.token_urlsafe(32)
        request[NEW_CSRF_KEY] = token
    return token


WILDCARD_HOSTS = frozenset({"0.0.0.0", "::", "[::]"})
"""``--host`` values that bind every interface: the app is then reached by any of the
machine's addresses, which no list can hold (``ANY_ADDRESS``)."""
ANY_ADDRESS = "*"
"""In the allowed hosts, ``*:PORT``: any IP address on that port is the app's (a bind to every
interface). Only an address: a name could be the attacker's, resolved to this machine
(DNS rebinding); an address typed into a browser is the user's own choice."""


def allowed_hosts(host: str, port: int) -> set[str]:
    names = {host, "127.0.0.1", "localhost", "[::1]"}
    if host in WILDCARD_HOSTS:
        names.add(ANY_ADDRESS)
    return {f"{name}:{port}" for name in names} | names - {ANY_ADDRESS}


def _address_on(value: str, hosts: set[str]) -> bool:
    """Whether ``value`` (``host[:port]``, as a Host header or an Origin writes it) is an IP
    address on a port the app took for any address (``ANY_ADDRESS``). An IPv6 address is
    bracketed; no port is port 80. A port of more than five digits is none a server has (read
    by ``int()``, 5,000 of them raised: a 500)."""
    match = re.fullmatch(r"(\[[^\]]*\]|[^:\[\]]*)(?::([0-9]{1,5}))?", value)
    if match is None:
        return False
    address, port = match.group(1), match.group(2) or "80"
    try:
        ipaddress.ip_address(address[1:-1] if address.startswith("[") else address)
    except ValueError:
        return False
    return f"{ANY_ADDRESS}:{int(port)}" in hosts


def known_host(value: str, hosts: set[str]) -> bool:
    """Whether a Host header names this app: one of its names, or an address it serves on."""
    return value in hosts or _address_on(value, hosts)


DEFAULT_PORTS = {"http": "80", "https": "443"}
"""The port an Origin without one names: a browser leaves the scheme's default out."""
OWN_FETCH_SITES = frozenset({"same-origin", "none"})
"""``Sec-Fetch-Site`` values of a request from the app's own page (or typed by the user).
"same-site" is another port of this host, or another of its names: cookies are not kept apart
by port (RFC 6265, 8.5), so a page there can set the CSRF cookie and send the token it chose."""


def _with_port(address: str, default: str) -> str:
    if not re.fullmatch(r".+:[0-9]+", address) or address.endswith("]"):  # "[::1]": no port
        return f"{address}:{default}"
    return address


def _own_origin(origin: str, hosts: set[str], sent_to: str) -> bool:
    """Whether an ``Origin`` header names this app: its host and port, the port spelled out.
    Compared without the port, ``http://localhost`` (port 80: any other web server on this
    machine) passed as the app's own. On every interface, an address is the app's only where
    it is the one the request was sent to (``sent_to``, its Host): another address on the
    port is another machine's page."""
    scheme, sep, address = origin.partition("://")
    if not sep or scheme not in DEFAULT_PORTS or not address:
        return False  # "null" (a sandboxed or file: page), or no origin a browser writes
    address = _with_port(address, DEFAULT_PORTS[scheme])
    if address in hosts:
        return True
    return address == _with_port(sent_to, DEFAULT_PORTS[scheme]) and _address_on(address, hosts)


def _protect(headers: MutableMapping[str, str]) -> None:
    headers.setdefault("Content-Security-Policy", CSP)
    headers["X-Content-Type-Options"] = "nosniff"
    # same-origin, not no-referrer: with no-referrer Chromium sends "Origin: null" on POSTs.
    headers["Referrer-Policy"] = "same-origin"
    headers["X-Frame-Options"] = "DENY"


@web.middleware
async def security_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The checks below on every request, and the protective headers on every answer: error
    answers too, since a 404 echoes the URL's run id (text a hostile link chose)."""
    try:
        response = await _checked(request, handler)
    except web.HTTPException as exc:
        _protect(exc.headers)
        raise
    _protect(response.headers)
    new = request.get(NEW_CSRF_KEY)
    if new:
        response.set_cookie(CSRF_COOKIE, new, httponly=True, samesite="Strict", path="/")
    return response


def _check_values_decode(body: str, charset: str) -> None:
    """A ValueError where a field of an urlencoded form, percent-decoded, is no ``charset``
    text: aiohttp puts U+FFFD in place of such bytes, and the ledger (append-only evidence)
    kept a note or a reviewer name nobody wrote."""
    for field in body.rstrip().split("&"):
        try:
            urllib.parse.unquote_to_bytes(field.replace("+", " ")).decode(charset)
        except UnicodeDecodeError as exc:
            name = urllib.parse.unquote(field.partition("=")[0], errors="replace")
            raise ValueError(
                f"the field {name!r} is not {charset.upper()} text once percent-decoded: "
                f"{exc.reason}"
            ) from None


async def _checked(request: web.Request, handler: Handler) -> web.StreamResponse:
    hosts = request.app[HOSTS_KEY]
    if not known_host(request.host, hosts):
        raise web.HTTPBadRequest(text="unknown Host header")
    if request.method == "POST":
        origin = request.headers.get("Origin")
        if origin is not None and not _own_origin(origin, hosts, request.host):
            raise web.HTTPForbidden(
                text=f"cross-origin POST refused: {origin!r} is not this app; send the form "
                "from the app's own page"
            )
        site = request.headers.get("Sec-Fetch-Site")
        if site is not None and site not in OWN_FETCH_SITES:
            raise web.HTTPForbidden(
                text=f"cross-origin POST refused: the browser marked it {site!r}; send the form "
                "from the app's own page"
            )
        try:
            form = await request.post()
            if request.content_type == "application/x-www-form-urlencoded":
                _check_values_decode(await request.text(), request.charset or "utf-8")
        except (ValueError, LookupError, web.RequestPayloadError, ConnectionResetError) as exc:
            # Not UTF-8 (the body, or a value's percent-encoded bytes), an unknown charset, a
            # multipart body cut short or without a boundary,
            # a body that does not decompress: no form a page of the app sends. Nor the body
            # of a client gone before it was sent (a closed tab): the client's doing, not a
            # bug with a traceback to report. The body ends
            # here: aiohttp would otherwise read on to drain it, meet the same failure again and
            # log it as an unhandled exception.
            request.content.feed_eof()
            raise web.HTTPBadRequest(
                text=f"the form cannot be read ({' '.join(str(exc).split())}); send it from "
                "the app's page"
            ) from None
        sent = str(form.get(CSRF_FIELD, ""))
        cookie = request.cookies.get(CSRF_COOKIE, "")
        if not cookie or not sent or not hmac.compare_digest(cookie, sent):
            raise web.HTTPForbidden(text="missing or wrong CSRF token; reload the page")
    return await handler(request)
