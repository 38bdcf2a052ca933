"""Polite, bounded HTTP fetching of pages and feeds (httpx).

Politeness: a clear User-Agent, robots.txt obeyed, at most one request per ``host_delay`` seconds to a host.
Safety: private, loopback and link-local addresses are refused (on every redirect hop too) unless
``allow_private``; bodies are streamed and cut at ``max_page_bytes``. Robustness: timeouts, and retries with
exponential backoff on timeouts, connection errors, 429 and 5xx answers.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
import threading
import time
import urllib.robotparser
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpcore
import httpx

from .errors import ErrorCode, InputError
from .settings import Settings

log = logging.getLogger(__name__)

_RETRY_STATUS = {429, 500, 502, 503, 504}
_MAX_RETRY_AFTER = 30.0
_MAX_ROBOTS_BYTES = 512_000  # RFC 9309: parse at least 500 KiB of a robots.txt; the rest may be ignored


@dataclass(frozen=True, slots=True)
class Fetched:
    url: str  # after redirects
    status: int
    content_type: str
    body: bytes


def check_url(url: str) -> tuple[str, str]:
    """Return (scheme, host) of an http(s) URL, or raise E_BAD_URL."""
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - parsed lazily; raises on a port out of range
        httpx.URL(url)  # what httpx refuses later would otherwise escape as an uncoded error
    except (ValueError, httpx.InvalidURL) as exc:
        raise InputError(ErrorCode.E_BAD_URL, f"{url!r}: {exc}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InputError(ErrorCode.E_BAD_URL, f"not an http(s) URL with a host: {url!r}")
    return parts.scheme, parts.hostname


def is_private_host(host: str) -> bool:
    """True when ``host`` is, or resolves to, an address that is not on the public internet."""
    try:
        addresses = [ipaddress.ip_address(host)]
    except ValueError:
        try:
            infos = socket.getaddrinfo(host, None)
        except socket.gaierror:
            return False  # unresolvable: the fetch itself will fail with E_FETCH_FAILED
        addresses = [ipaddress.ip_address(info[4][0]) for info in infos]
    return any(_private(a) for a in addresses)


def _private(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    return not address.is_global or address.is_multicast


class _PinnedBackend(httpcore.SyncBackend):
    """Connects to the very address it checked: the host is resolved once, every address it has is checked, and
    the socket is opened to one of them by number. A name that answers a public address to a check made apart
    from the connection and a loopback one to the connection (DNS rebinding) cannot get through. TLS still
    verifies the host name (httpcore sends it as SNI)."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[Any] | None = None,
    ) -> httpcore.NetworkStream:
        try:
            infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except (socket.gaierror, UnicodeError) as exc:
            raise httpcore.ConnectError(f"{host}: {exc}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in infos))
        if not self.allow_private and any(is_private_host(a) for a in addresses):
            raise InputError(
                ErrorCode.E_PRIVATE_ADDRESS, f"{host} resolves to a private, loopback or link-local address"
            )
        error: Exception | None = None
        for address in addresses:
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                error = exc
        raise error or httpcore.ConnectError(f"{host}: no address")


def _transport(settings: Settings) -> httpx.HTTPTransport:
    transport = httpx.HTTPTransport()
    pool = transport._pool
    # httpcore hands the pool's backend to each new connection; there is no public way to give HTTPTransport one.
    if not isinstance(getattr(pool, "_network_backend", None), httpcore.SyncBackend):
        raise RuntimeError("httpx/httpcore changed: cannot pin resolved addresses")
    pool._network_backend = _PinnedBackend(settings.allow_private)
    return transport


class Fetcher:
    """One HTTP client for a run: connection reuse, robots.txt cache, per-host pacing.

    Thread-safe for pacing; use one per process. ``clock`` and ``sleep`` are what pacing and backoff read and
    wait with (tests pass a fake pair to check the waits asked for without waiting).
    """

    def __init__(
        self,
        settings: Settings,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.settings = settings
        self._clock = clock
        self._sleep = sleep
        self._robots: dict[str, urllib.robotparser.RobotFileParser | None] = {}
        self._last_request: dict[str, float] = {}
        self._lock = threading.Lock()
        self.client = httpx.Client(
            headers={"User-Agent": settings.user_agent, "Accept": "text/html,application/xhtml+xml,*/*;q=0.8"},
            timeout=httpx.Timeout(settings.fetch_timeout),
            follow_redirects=True,
            max_redirects=5,
            event_hooks={"request": [self._guard]},
            transport=_transport(settings),
        )

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def fetch(self, url: str) -> Fetched:
        """GET ``url`` with every politeness and safety rule applied; raise InputError with a code on failure."""
        check_url(url)
        if self.settings.respect_robots and not self._allowed(url):
            raise InputError(ErrorCode.E_ROBOTS, f"robots.txt disallows {url}")
        return self._get(url)

    # -- internals ------------------------------------------------------------------------------------------

    def _guard(self, request: httpx.Request) -> None:
        """Runs before every request, redirects included, so a public URL cannot bounce us onto a private one."""
        host = request.url.host
        if not self.settings.allow_private and is_private_host(host):
            raise InputError(ErrorCode.E_PRIVATE_ADDRESS, f"{host} is a private, loopback or link-local address")
        self._pace(host)

    def _pace(self, host: str) -> None:
        with self._lock:
            now = self._clock()
            last = self._last_request.get(host)
            wait = 0.0 if last is None else last + self.settings.host_delay - now
            self._last_request[host] = now + max(wait, 0.0)
        if wait > 0:
            self._sleep(wait)

    def _get(self, url: str) -> Fetched:
        attempts = self.settings.fetch_retries + 1
        delay = self.settings.fetch_backoff
        for attempt in range(attempts):
            last = attempt == attempts - 1
            try:
                return self._get_once(url)
            except httpx.TimeoutException as exc:
                if last:
                    raise InputError(
                        ErrorCode.E_FETCH_TIMEOUT, f"{url}: {type(exc).__name__} after {attempts} tries"
                    ) from None
            except httpx.TransportError as exc:
                if last:
                    raise InputError(ErrorCode.E_FETCH_FAILED, f"{url}: {exc}") from None
            except _Retry as retry:
                if last:
                    raise InputError(
                        ErrorCode.E_FETCH_HTTP, f"{url}: HTTP {retry.status} after {attempts} tries"
                    ) from None
                delay = max(delay, min(retry.after or 0.0, _MAX_RETRY_AFTER))
            # Not worth a retry, and they must not escape uncoded: one bad URL would end the whole run.
            except httpx.TooManyRedirects:
                raise InputError(ErrorCode.E_FETCH_HTTP, f"{url}: redirected more than 5 times") from None
            except (httpx.HTTPError, httpx.InvalidURL) as exc:  # a body that fails to decode, a bad Location
                raise InputError(ErrorCode.E_FETCH_FAILED, f"{url}: {type(exc).__name__}: {exc}") from None
            log.info("retrying %s in %.1fs", url, delay)
            self._sleep(delay)
            delay *= 2
        raise AssertionError("unreachable")

    def _get_once(self, url: str) -> Fetched:
        limit = self.settings.max_page_bytes
        with self.client.stream("GET", url) as response:
            if response.status_code in _RETRY_STATUS:
                raise _Retry(response.status_code, _retry_after(response))
            if response.status_code >= 400:
                raise InputError(ErrorCode.E_FETCH_HTTP, f"{url}: HTTP {response.status_code}")
            declared = int(response.headers.get("content-length") or 0)
            if declared > limit:
                raise InputError(ErrorCode.E_TOO_LARGE, f"{url}: {declared} bytes declared, limit {limit}")
            chunks: list[bytes] = []
            size = 0
            for chunk in response.iter_bytes():
                size += len(chunk)
                if size > limit:
                    raise InputError(ErrorCode.E_TOO_LARGE, f"{url}: more than {limit} bytes")
                chunks.append(chunk)
            return Fetched(
                url=str(response.url),
                status=response.status_code,
                content_type=response.headers.get("content-type", ""),
                body=b"".join(chunks),
            )

    def _allowed(self, url: str) -> bool:
        check_url(url)
        parts = urlsplit(url)
        # netloc, not hostname: an IPv6 host keeps its brackets. Credentials are not sent for robots.txt.
        origin = f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
        if origin not in self._robots:
            self._robots[origin] = self._read_robots(origin)
        parser = self._robots[origin]
        return parser is None or parser.can_fetch(self.settings.user_agent, url)

    def _read_robots(self, origin: str) -> urllib.robotparser.RobotFileParser | None:
        """Parse the site's robots.txt; ``None`` (allow everything) when it is missing or unreadable."""
        body = bytearray()
        try:
            with self.client.stream("GET", f"{origin}/robots.txt") as response:
                if response.status_code >= 400:
                    return None
                for chunk in response.iter_bytes():  # streamed and capped: a server may send one without end
                    body += chunk
                    if len(body) >= _MAX_ROBOTS_BYTES:
                        break
        except httpx.HTTPError as exc:  # an InputError (private redirect) is not one, and propagates
            log.info("robots.txt of %s unreadable (%s): allowing", origin, exc)
            return None
        parser = urllib.robotparser.RobotFileParser()
        parser.parse(body[:_MAX_ROBOTS_BYTES].decode("utf-8", "replace").splitlines())
        return parser


class _Retry(Exception):
    def __init__(self, status: int, after: float | None) -> None:
        self.status = status
        self.after = after


def _retry_after(response: httpx.Response) -> float | None:
    value = response.headers.get("retry-after", "")
    return float(value) if value.strip().isdigit() else None
