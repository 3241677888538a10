"""Pieces the HTTP adapters share: env-var references in headers and the URL's query, dotted
response paths, one aiohttp session per target, and the mapping from HTTP outcomes to
:class:`TargetError` kinds.

The mapping lives here once so that ``openai`` and ``http`` fail the same way for the same
fault, and the runner's retry decision (429, 5xx, timeouts, dropped connections) holds for both.
aiohttp is imported when a session starts, not with this module: validating a target file
needs no HTTP client. Message helpers the non-HTTP targets share are in ``_messages``.
"""

from __future__ import annotations

import email.utils
import json
import os
import re
import time
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import quote, urlsplit, urlunsplit

from pydantic import Field

from ..datatypes import Number
from ..errors import ConfigError
from ..scrub import has_control_character, has_key_prefix, is_secret_name
from ..urls import ENV_REF, check_reference_names, env_refs, holds_value, key_value_in_url
from .base import (
    DEFAULT_MAX_RESPONSE_MB,
    BadResponseError,
    ClientError,
    RateLimitedError,
    ServerError,
    Target,
    TargetConnectionError,
    TargetSpec,
    TargetTimeoutError,
)

if TYPE_CHECKING:
    import aiohttp
    from yarl import URL

_BODY_SNIPPET = 200


_TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""A header name: an RFC 9110 token (letters, digits and ``!#$%&'*+-.^_`|~``)."""


def check_header_name(name: str) -> str:
    """A pydantic validator's body: ``name`` is a header name HTTP can carry (a space, a colon
    or an empty name is refused by the server on every request)."""
    if not _TOKEN.fullmatch(name):
        raise ValueError(f"{name!r} is not a header name: use letters, digits and -, e.g. X-Team")
    return name


def check_headers(headers: dict[str, str]) -> dict[str, str]:
    """A pydantic validator's body: every name is a header name, and no value holds a line break
    or another control character (aiohttp refuses those on every request, as an injection)."""
    for name, value in headers.items():
        check_header_name(name)
        check_reference_names(value, where=f"the value of header {name!r}")
        if any((ord(c) < 0x20 and c != "\t") or ord(c) == 0x7F for c in value):
            raise ValueError(
                f"the value of header {name!r} holds a line break or another control "
                "character, which HTTP cannot carry; remove it"
            )
    return headers


def auth_hint(status: int | None, names: list[str]) -> str | None:
    """What a 401/403 means for a key read from the environment."""
    if status in (401, 403):
        where = f" in ${names[0]}" if names else ""
        return (
            f"the endpoint refused the credentials: check the key{where} "
            "(and that it is for this endpoint)"
        )
    return None


def query_env_refs(url: str) -> list[str]:
    """Names the URL's query refers to; only the query is resolved (a host or path is not a
    secret, and one read from the environment would not be recorded in the manifest)."""
    return env_refs(urlsplit(url).query)


def resolve_env(value: str, *, encode: Callable[[str], str] = str) -> str:
    """Substitute ``${NAME}`` references from the environment, at request time, so the secret
    lives only in the process environment and never in the spec or a file. ``encode``: how a
    value is written where it goes (percent-encoded in a query)."""
    if "${" not in value:
        return value
    return ENV_REF.sub(lambda m: encode(os.environ.get(m.group(1), "")), value)


_QUERY_SAFE = "-._~?/:@!$'()*,"
"""What a query value carries unencoded: RFC 3986's query characters less the separators
(``&=+;#``). yarl leaves this spelling as it is, so the value on the wire is exactly
:func:`quote_query_value`'s, which :meth:`JsonHttpTarget.secret_values` scrubs too."""


def quote_query_value(value: str) -> str:
    """``value`` percent-encoded as one query parameter value."""
    return quote(value, safe=_QUERY_SAFE)


def resolve_query(url: str) -> str:
    """``url`` with its query's ``${NAME}`` references resolved, for the request sent now; the
    URL as written (names, not values) stays what manifests and error messages show."""
    if "${" not in url:  # every request of most targets: no parse
        return url
    parts = urlsplit(url)
    if "${" not in parts.query:
        return url
    return urlunsplit(parts._replace(query=resolve_env(parts.query, encode=quote_query_value)))


Location = tuple[str, int | None, str | None]
"""Where a setting is: the target file (or ``target NAME``), its line, and the field."""


def check_env(names: list[str], *, locate: Callable[[str], Location]) -> None:
    """Fail before the first request when a referenced variable is unset: a clear one-line
    configuration error beats a run where every request comes back 401. ``locate``: where
    the target file names the variable (``api_key_env``, a header, the URL), so the line
    says which file and line the variable is read for; its value is never shown."""
    missing = [n for n in names if not os.environ.get(n, "").strip()]
    if missing:
        # Set but blank ('export KEY=' or an empty key file): "not set" would be seen to be false.
        state = "is empty" if missing[0] in os.environ else "is not set"
        path, line, field = locate(missing[0])
        raise ConfigError.single(
            path,
            f"environment variable {missing[0]} {state}",
            line=line,
            field=field,
            hint=f"export {missing[0]}=... before running (the value is never written to disk)",
        )
    # A header cannot carry a line break or another control character: aiohttp refuses the
    # request (a crash in 'targets check', every request failed in a run). The usual cause is
    # a key file saved with Windows line ends (its '\r' survives $(cat FILE)). The value is a
    # secret: never shown.
    garbled = [n for n in names if has_control_character(os.environ[n])]
    if garbled:
        path, line, field = locate(garbled[0])
        raise ConfigError.single(
            path,
            f"environment variable {garbled[0]} holds a line break or another control character, "
            "which an HTTP header cannot carry and a key does not hold (the value is not shown)",
            line=line,
            field=field,
            hint=f"export it again without (from a file: "
            f"export {garbled[0]}=\"$(tr -d '\\r\\n' < FILE)\")",
        )


def parse_retry_after(value: str | None) -> float | None:
    """Retry-After is either delta-seconds or an HTTP date; both become seconds from now. A
    date no calendar holds (year 99999999999) is unreadable, as garbage is: its OverflowError
    was recorded as the harness's own bug, and the 429 it came with was not retried."""
    if not value:
        return None
    value = value.strip()
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, OverflowError):
        return None
    if when is None:
        return None
    return max(0.0, when.timestamp() - time.time())


def _snippet(body: bytes) -> str:
    text = body[:_BODY_SNIPPET].decode("utf-8", errors="replace").strip()
    return text.replace("\n", " ")


def raise_for_status(
    status: int, headers: Mapping[str, str], body: bytes, *, url: str | None = None
) -> None:
    """Turn a non-2xx answer into the TargetError the runner knows how to treat. A 404 names
    the URL: the path is what is wrong (a base_url without ``/v1``, a typo in the host path)."""
    if 200 <= status < 300:
        return
    where = f" from {url}" if url and status in (404, 405) else ""
    detail = f"HTTP {status}{where}: {_snippet(body)}" if body else f"HTTP {status}{where}"
    if status == 429:
        raise RateLimitedError(
            detail, status=status, retry_after=parse_retry_after(headers.get("Retry-After"))
        )
    if status == 408:
        raise TargetTimeoutError(detail, status=status)
    if status >= 500:
        raise ServerError(
            detail, status=status, retry_after=parse_retry_after(headers.get("Retry-After"))
        )
    raise ClientError(detail, status=status)


_REDIRECTS = frozenset({301, 302, 303, 307, 308})
_MAX_REDIRECTS = 10
"""Redirects followed for one request before it is called a loop (aiohttp's own limit)."""


def _body_dropped(status: int, method: str, url: str, location: URL) -> ClientError:
    """A 301 or 302 to a POST, or a 303, makes the request a body-less GET: the prompt would
    never reach the model, so whatever the other page says would not be its answer (a 307 or
    308 keeps the body, and the answer then is the model's). It is not followed at all."""
    return ClientError(
        f"HTTP {status} from {url}: redirected to {location}, where the {method} would arrive "
        f"as a GET without its body; put the URL that answers the {method} in the target file",
        status=status,
    )


def _another_host(status: int, url: str, location: URL) -> ClientError:
    """A redirect to another scheme, host or port is not followed: aiohttp would send every
    header but Authorization on (Azure's ``api-key``, an ``X-Api-Key``: the key handed to a
    host the target file never named), and the answer would come from an endpoint that the
    manifest does not record."""
    return ClientError(
        f"HTTP {status} from {url}: redirected to {location}, another host or scheme; the "
        "request and its credentials are only sent where the target file says: put that URL "
        "there if it is the endpoint",
        status=status,
    )


def _credentials_in(status: int, url: str, location: URL) -> ClientError:
    """A redirect to a URL with a user name or password in it is not followed: aiohttp would
    send them as Basic credentials the target file never named (beside its own Authorization
    it refuses, a ValueError). The password is left out of the message, as any is."""
    return ClientError(
        f"HTTP {status} from {url}: redirected to {location.with_user(None)} with credentials "
        "written in the URL; only the credentials the target file names are sent: put the "
        "URL that answers there",
        status=status,
    )


def _redirect_loop(statuses: list[int], url: str, location: URL) -> ClientError:
    """Ten redirects without an answer: sending again would loop again, a client_error, not
    retried; the user needs to know it was a loop and where it went."""
    return ClientError(
        f"{url} redirected {len(statuses)} times without an answer (a redirect loop?); the "
        f"last went to {location}; put the URL that answers in the target file",
        status=statuses[-1],
    )


def _same_origin(one: URL, other: URL) -> bool:
    """Same scheme, host and port, a default port written out or not (yarl's ``origin()``
    keeps ``:80`` as written, so ``http://h:80`` and ``http://h`` would differ)."""
    return (one.scheme, one.host, one.port) == (other.scheme, other.host, other.port)


def _next_hop(resp: aiohttp.ClientResponse, method: str, url: str) -> URL | None:
    """Where a redirect may be followed with the same request, None for an answer; a
    ClientError for one that must not be followed (the body dropped, another host,
    credentials in the URL)."""
    from yarl import URL

    location = resp.headers.get("Location")
    if resp.status not in _REDIRECTS or not location:
        return None
    try:
        target = resp.url.join(URL(location))
        same_origin = _same_origin(target, resp.url)
    except ValueError:
        raise ClientError(
            f"HTTP {resp.status} from {url}: redirected to {location!r}, which is not a URL",
            status=resp.status,
        ) from None
    if (resp.status == 303 and method not in ("GET", "HEAD")) or (
        resp.status in (301, 302) and method == "POST"
    ):  # aiohttp's (and browsers') rule for when a redirect turns the request into a GET
        raise _body_dropped(resp.status, method, url, target)
    if not same_origin:
        raise _another_host(resp.status, url, target)
    if target.user is not None or target.password is not None:
        raise _credentials_in(resp.status, url, target)
    return target


def _undecodable(exc: BaseException) -> bool:
    """Whether a payload error is the body failing to decode under its Content-Encoding (the
    server answered in full) rather than the connection ending before the body did."""
    from aiohttp.http_exceptions import ContentEncodingError

    return isinstance(exc.__cause__ or exc.__context__, ContentEncodingError)


def _not_as_encoded(resp: aiohttp.ClientResponse, url: str) -> BadResponseError:
    """An answer that does not decode as its Content-Encoding says: the same answer would come
    back if sent again, so it is a bad_response (not retried), not a dropped connection."""
    encoding = resp.headers.get("Content-Encoding", "")
    return BadResponseError(
        f"the answer from {url} is not {encoding} data, though its Content-Encoding header "
        "says so; the server (or a proxy before it) labels its answers wrongly",
        status=resp.status,
    )


def _not_http(reason: str, url: str) -> BadResponseError:
    """Malformed status line or headers: the server answered, but not in HTTP. aiohttp's
    reason runs over several lines (a caret under the bytes): one line here, as every reason
    is. An https server addressed as ``http://`` answers so (a TLS alert): said where it may be."""
    hint = ""
    if url.startswith("http://") and "status line" in reason.lower():
        hint = "; if the server speaks https, write https:// in the target file"
    words = " ".join(word for word in reason.split() if word != "^")  # the caret, off its line
    return BadResponseError(f"malformed HTTP response from {url}: {words}{hint}")


def _streamed(url: str, status: int) -> BadResponseError:
    """A stream of server-sent events where one JSON answer was expected: "not valid JSON" with
    the first event would send the user to the server's JSON, not to the streaming switch (a
    body template with ``"stream": true``, a server that streams whatever it is asked)."""
    return BadResponseError(
        f"the answer from {url} is a stream (text/event-stream), not one JSON answer; turn "
        "streaming off (no stream: true in the body template or the generation settings)",
        status=status,
    )


def parse_json(body: bytes, *, status: int) -> Any:
    if not body.strip():
        # Said as what it is: "not valid JSON (JSONDecodeError): " ended at its colon, as if
        # the body's snippet had been lost.
        raise BadResponseError("response is empty (no body), not JSON", status=status)
    try:
        return json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BadResponseError(
            f"response is not valid JSON ({exc.__class__.__name__}): {_snippet(body)}",
            status=status,
        ) from None
    except RecursionError:
        raise BadResponseError(
            f"response JSON is nested too deep to read: {_snippet(body)}", status=status
        ) from None
    except ValueError as exc:
        # Valid JSON Python will not read: an integer of more than 4,300 digits (the limit on
        # converting digit strings). Uncaught, it was recorded as an 'exception', a harness bug.
        # Python's own advice after the ';' (sys.set_int_max_str_digits) is not the user's to take.
        reason = str(exc).split(";")[0]
        raise BadResponseError(f"response JSON cannot be read: {reason}", status=status) from None


class HttpTargetSpec(TargetSpec):
    """Settings the HTTP adapters (``openai``, ``http``) share."""

    max_response_mb: Number = Field(default=DEFAULT_MAX_RESPONSE_MB, gt=0, le=4096)
    """The largest answer read, in megabytes (10^6 bytes) after decompression; a larger one is
    a ``bad_response`` on its case, so an endless or decompression-bomb answer cannot exhaust
    the machine's memory (at most ``concurrency`` answers of this size are held at once)."""


class HttpSession:
    """One aiohttp ClientSession per target, with a connector sized to the target's concurrency.

    aiohttp rather than httpx: on the loopback benchmark httpx's AsyncClient reached a small
    fraction of the throughput bound that aiohttp reaches (see BENCHMARKS.md).
    """

    def __init__(self, *, timeout_s: float, max_response_mb: float) -> None:
        self._timeout_s = timeout_s
        self._max_response_mb = max_response_mb
        self._max_bytes = int(max_response_mb * 1_000_000)
        self._session: aiohttp.ClientSession | None = None

    async def start(self, *, concurrency: int) -> None:
        """Open the session. ``concurrency`` sizes the connection pool: read at start, so a
        runner that overrides the target's concurrency sets it on the spec before start()."""
        if self._session is not None:
            return
        # Here, not at import: validating a target file needs no HTTP client.
        from ._aiohttp_import import import_aiohttp

        aiohttp = import_aiohttp()

        connector = aiohttp.TCPConnector(
            limit=concurrency,
            limit_per_host=0,
            ttl_dns_cache=300,
            keepalive_timeout=30,
        )
        self._session = aiohttp.ClientSession(
            connector=connector,
            timeout=aiohttp.ClientTimeout(total=self._timeout_s),
            # Responses are parsed with json.loads on raw bytes; skip aiohttp's cookie jar work.
            cookie_jar=aiohttp.DummyCookieJar(),
            auto_decompress=True,
            raise_for_status=False,
            # No proxy from http_proxy/https_proxy (aiohttp's default, said here so it stays):
            # the key goes to the URL the target file names, not to one the shell names for
            # other tools; guard-model's opener reads none either.
            trust_env=False,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None

    async def request(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send one request and read the whole body; transport faults become TargetErrors."""
        if self._session is None:
            raise RuntimeError("start() the target before sending requests")
        import aiohttp

        answered: list[aiohttp.ClientResponse] = []
        try:
            return await self._follow(
                method, url, body=body, headers=headers, params=params, answered=answered
            )
        except TimeoutError as exc:
            raise TargetTimeoutError(
                f"no complete response within {self._timeout_s:g}s from {url}"
            ) from exc
        except aiohttp.ClientConnectorError as exc:
            raise TargetConnectionError(f"cannot connect to {url}: {exc.os_error}") from exc
        except aiohttp.ClientPayloadError as exc:
            if answered and _undecodable(exc):
                raise _not_as_encoded(answered[-1], url) from exc
            raise TargetConnectionError(f"connection dropped mid-response from {url}") from exc
        except aiohttp.ServerDisconnectedError as exc:
            raise TargetConnectionError(f"server disconnected: {url}") from exc
        except aiohttp.ClientResponseError as exc:
            raise _not_http(exc.message, url) from exc
        except (aiohttp.ClientOSError, ConnectionError) as exc:
            raise TargetConnectionError(f"connection error talking to {url}: {exc}") from exc
        except aiohttp.ClientError as exc:
            name = exc.__class__.__name__
            raise TargetConnectionError(f"{name} talking to {url}: {exc}") from exc

    async def _follow(
        self,
        method: str,
        url: str,
        *,
        body: bytes | None,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None,
        answered: list[aiohttp.ClientResponse],
    ) -> tuple[int, Mapping[str, str], bytes]:
        """Send, following same-host 307/308 redirects here rather than in aiohttp, which sends
        every header but Authorization on to another host (see :func:`_next_hop`). Each
        response is appended to ``answered``, for the caller's error messages."""
        assert self._session is not None
        import aiohttp

        at: str | URL = resolve_query(url)  # the key in the query exists only in this request
        statuses: list[int] = []
        deadline = time.monotonic() + self._timeout_s  # one timeout for all hops, as aiohttp's
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                raise TimeoutError
            async with self._session.request(
                method,
                at,
                data=body,
                headers=headers,
                params=params,
                allow_redirects=False,
                timeout=aiohttp.ClientTimeout(total=left),
            ) as resp:
                answered.append(resp)
                hop = _next_hop(resp, method, url)
                if hop is None:
                    return resp.status, resp.headers, await self._read_body(resp, url)
                statuses.append(resp.status)
            if len(statuses) >= _MAX_REDIRECTS:
                raise _redirect_loop(statuses, url, hop)
            at, params = hop, None  # the Location carries its own query

    async def _read_body(self, resp: aiohttp.ClientResponse, url: str) -> bytes:
        """The whole answer, or a BadResponseError once it passes the limit. An answer whose
        declared length is its size (no Content-Encoding) is checked before it is read and then
        read in one go; any other (chunked, compressed) is counted as it arrives, decompressed,
        so a small gzip that expands without end is stopped at the limit too."""
        length = resp.content_length
        if length is not None and "Content-Encoding" not in resp.headers:
            if length > self._max_bytes:
                raise self._too_large(url, resp.status)
            return await resp.read()
        chunks: list[bytes] = []
        size = 0
        async for chunk in resp.content.iter_any():
            size += len(chunk)
            if size > self._max_bytes:
                raise self._too_large(url, resp.status)
            chunks.append(chunk)
        return b"".join(chunks)

    def _too_large(self, url: str, status: int) -> BadResponseError:
        limit = f"{self._max_response_mb:g} MB"
        return BadResponseError(
            f"the answer from {url} is more than {limit}; if answers this long are expected, "
            f"raise max_response_mb (now {self._max_response_mb:g}) in the target file",
            status=status,
        )

    async def request_json(
        self,
        method: str,
        url: str,
        *,
        body: Any,
        headers: Mapping[str, str],
        params: Mapping[str, str] | None = None,
        before_status: Callable[[int, bytes], Any] | None = None,
    ) -> tuple[int, Any]:
        """Send ``body`` as JSON and return (status, parsed JSON answer); a non-2xx status or
        a body that is not JSON becomes the TargetError the runner knows how to treat.
        ``before_status``: given the status and the raw answer before a non-2xx one becomes an
        error, its own reading of an answer the adapter knows (None: no such answer)."""
        payload = json.dumps(body).encode()
        status, resp_headers, raw = await self.request(
            method, url, body=payload, headers=headers, params=params
        )
        if before_status is not None and not 200 <= status < 300:
            known = before_status(status, raw)
            if known is not None:
                return status, known
        raise_for_status(status, resp_headers, raw, url=url)
        content_type = resp_headers.get("Content-Type", "")
        if content_type.lower().startswith("text/event-stream"):
            raise _streamed(url, status)
        return status, parse_json(raw, status=status)


class JsonHttpTarget(Target):
    """What the JSON-over-HTTP adapters (``openai``, ``http``) share: one session per target,
    a check on start that every ``${NAME}`` the headers and the URL's query reference is set,
    per-request resolution (the query's in :class:`HttpSession`), and manifests that show the
    headers redacted and the URL as written. Subclasses say where their extra
    headers live and write ``generate``."""

    reads_metadata: ClassVar[bool] = False  # sends the conversation and parameters only
    reads_case_id: ClassVar[bool] = False  # likewise (``http`` says where its body sends it)

    def __init__(self, spec: TargetSpec, *, base_dir: str = ".") -> None:
        super().__init__(spec, base_dir=base_dir)
        assert isinstance(spec, HttpTargetSpec)
        self._http = HttpSession(timeout_s=spec.timeout_s, max_response_mb=spec.max_response_mb)

    @property
    def extra_headers(self) -> Mapping[str, str]:
        """The spec's extra headers, values possibly holding ``${NAME}`` references."""
        return {}

    def env_names(self) -> list[str]:
        """Environment variables that must be set before the first request."""
        names: list[str] = []
        for value in self.extra_headers.values():
            names.extend(env_refs(value))
        names.extend(query_env_refs(self.endpoint() or ""))
        return names

    url_field: ClassVar[str] = "url"
    """The field of the target file that holds the URL requests go to."""

    def key_variables(self) -> list[str]:
        """The environment variables whose values are keys this target sends: those a
        credential header references (``Authorization: Bearer ${KEY}``), or any header under a
        name that says it holds a secret, and those the URL's query references. Not a header
        such as ``X-Team: ${TEAM}``, whose value may be an ordinary word of a path."""
        names = [
            name
            for header, value in self.extra_headers.items()
            for name in env_refs(value)
            if _SENSITIVE.search(header) or is_secret_name(name)
        ]
        return names + query_env_refs(self.endpoint() or "")

    def check_secrets(self) -> None:
        """Refuse a URL that holds the value of a variable the key is sent from
        (:meth:`key_variables`), whatever the key's shape: it would go out in the request line
        and into every record of the run. Found only when the variable is set."""
        url = str(getattr(self.spec, self.url_field, "") or "")
        for name in dict.fromkeys(self.key_variables()):
            if holds_value(url, os.environ.get(name, "")):
                where, line = self.located(self.url_field)
                raise ConfigError.single(
                    where, key_value_in_url(name), line=line, field=self.url_field
                )

    def secret_values(self) -> list[str]:
        """The referenced variables' values and the credentials pasted into the headers (which
        manifests show redacted), each also as spelled in a query (an aiohttp error quoting the
        URL)."""
        values = [os.environ[n] for n in self.env_names() if os.environ.get(n)]
        for name, value in self.extra_headers.items():
            values.extend(pasted_credentials(name, value))
        return values + [quote_query_value(v) for v in values]

    def diagnose(self, status: int | None, kind: str, message: str) -> str | None:
        if kind == "connection_error":
            return "is the server running, and is the host and port in the target file right?"
        return auth_hint(status, self.env_names())

    def env_located(self, name: str) -> Location:
        """Where the target file names variable ``name``: the header whose value references
        it (its own line), else the URL (its query), else the file alone."""
        for header, value in self.extra_headers.items():
            if name in env_refs(value):
                path, line = self.located("headers")
                if self.source is not None and self.source_lines is not None:
                    line = self.source_lines(("headers", header)) or line
                return path, line, f"headers.{header}"
        if name in query_env_refs(self.endpoint() or ""):
            return (*self.located(self.url_field), self.url_field)
        return (*self.located(), None)

    async def start(self) -> None:
        check_env(self.env_names(), locate=self.env_located)
        await self._http.start(concurrency=self.spec.concurrency)

    async def close(self) -> None:
        await self._http.close()

    def public_config(self) -> dict[str, Any]:
        data = super().public_config()
        data["headers"] = public_headers(self.extra_headers)
        if data.get("max_response_mb") == DEFAULT_MAX_RESPONSE_MB:
            # Recorded when set, like the timeout; left out at its default so that targets
            # written before the setting existed keep their fingerprint (cache, baselines).
            del data["max_response_mb"]
        return data

    def request_headers(self) -> dict[str, str]:
        """JSON content headers plus the extra headers, ``${NAME}`` resolved now."""
        headers = {"Content-Type": "application/json", "Accept": "application/json"}
        for name, value in self.extra_headers.items():
            headers[name] = resolve_env(value)
        return headers


_SENSITIVE = re.compile(r"auth|key|token|secret|cookie|passw|credential", re.IGNORECASE)


def pasted_credentials(name: str, value: str) -> list[str]:
    """The words of a header's value written into the file itself (not ``${NAME}`` references)
    under a credential-looking name, the scheme word (``Bearer``, ``Basic``) aside, or, under
    any name, a word with a known key's prefix (``sk-``, ``ghp_``): a key someone pasted in
    instead of referencing a variable, which the name alone missed (``X-Credential``)."""
    words = ENV_REF.sub(" ", value).split()
    if not _SENSITIVE.search(name):
        return [w for w in words if has_key_prefix(w)]
    return [w for w in words if w.lower() not in ("bearer", "basic")]


def public_headers(headers: Mapping[str, str]) -> dict[str, str]:
    """Headers as manifests may show them: ``${NAME}`` references stay (they are names, not
    secrets), but a value with a pasted credential in it is redacted."""
    return {
        name: "<redacted>" if pasted_credentials(name, value) else value
        for name, value in headers.items()
    }
