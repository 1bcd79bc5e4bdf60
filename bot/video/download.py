"""Stream a finished video's URL to a file, refusing links that point where the bot must not go.

The guard, for the first URL and every redirect target:
- only `https`, except on the API base's own host and port (the fakes serve videos there);
- every address the host resolves to must be public (`forbidden_reason`); the API base's own
  host and port is the one exception. The request then goes to the checked address (the host
  name stays in the Host header and TLS SNI/certificate check), so a second DNS answer cannot
  swap it for a private one;
- redirects are followed by hand, at most `max_redirects`;
- at most `max_bytes` are read, checked against Content-Length first and while streaming.
The video host gets no Authorization header: the signed URL is the only credential it needs.

A whole download (name lookups, every redirect, the body and writing it) takes at most
`timeout_s`, whatever the pace: a host that accepts and then sends a byte now and then holds it
no longer than one that stops sending at once.
"""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Final

import aiohttp
from aiohttp.abc import AbstractResolver
from yarl import URL

from bot.generation.addresses import ForbiddenAddress, IPAddress, forbidden_reason

log = logging.getLogger(__name__)

CHUNK_BYTES: Final = 256 * 1024
REDIRECT_STATUSES: Final = frozenset({301, 302, 303, 307, 308})
# The link itself is dead: the file expired (403 from OSS), was removed (404/410).
DEAD_LINK_STATUSES: Final = frozenset({403, 404, 410})
# Headers of our own for the video host; the shared session's defaults (User-Agent) still apply.
VIDEO_HEADERS: Final = {"Accept": "video/mp4, */*"}

AddressPolicy = Callable[[IPAddress], ForbiddenAddress | None]


@dataclass(frozen=True)
class Downloaded:
    path: Path
    size: int


@dataclass(frozen=True)
class Disallowed:
    """The bot will not fetch this: scheme, address, redirects or size are not allowed."""

    reason: str


@dataclass(frozen=True)
class Unavailable:
    """The host says the file is not there (an expired or removed link): retrying won't help."""

    status: int


@dataclass(frozen=True)
class Transient:
    """Connection trouble, a timeout, 5xx or 429: the same link may work later."""

    reason: str


@dataclass(frozen=True)
class Unwritable:
    """The link is fine, but the file cannot be written where it was to go (a read-only or full
    disk, a file too large for it, a folder that cannot be made)."""

    reason: str


DownloadOutcome = Downloaded | Disallowed | Unavailable | Transient | Unwritable


@dataclass(frozen=True)
class _Target:
    url: URL  # what is requested: the checked address when pinned
    host_header: str | None = None
    server_hostname: str | None = None


class VideoDownloader:
    def __init__(
        self,
        session: aiohttp.ClientSession,
        api_base: str,
        *,
        max_bytes: int,
        max_redirects: int = 3,
        timeout_s: float = 300.0,
        connect_timeout_s: float = 10.0,
        resolver: AbstractResolver | None = None,
        address_policy: AddressPolicy = forbidden_reason,
    ) -> None:
        self._session = session
        base = URL(api_base)
        self._api_origin = ((base.host or "").lower(), base.port)
        self._max_bytes = max_bytes
        self._max_redirects = max_redirects
        self._total_s = timeout_s
        # Passed on every request: it replaces whatever timeout the shared session has. The
        # whole download's bound is `download`'s own.
        self._timeout = aiohttp.ClientTimeout(
            total=None, sock_connect=connect_timeout_s, sock_read=connect_timeout_s * 3
        )
        self._connect_timeout_s = connect_timeout_s
        self._resolver = resolver
        self._address_policy = address_policy

    async def download(self, url: str, dest: Path) -> DownloadOutcome:
        """Write the body at `url` to `dest` (created or truncated), within the total time. On
        any outcome but Downloaded, `dest` may hold a partial body: the caller discards it."""
        try:
            async with asyncio.timeout(self._total_s):
                return await self._follow(url, dest)
        except TimeoutError:
            return Transient(f"the download took longer than {self._total_s:g} s")

    async def _follow(self, url: str, dest: Path) -> DownloadOutcome:
        # Sent exactly as given: re-quoting a signed URL can change what its signature covers.
        current = URL(url, encoded=True)
        for hop in range(self._max_redirects + 1):
            target = await self._check(current)
            if not isinstance(target, _Target):
                return target
            outcome = await self._get(target, dest)
            if not isinstance(outcome, URL):
                return outcome
            current = current.join(outcome)
            log.info("video link redirects (hop %d) to host %s", hop + 1, current.host)
        return Disallowed(f"more than {self._max_redirects} redirects")

    def _is_api_origin(self, url: URL) -> bool:
        return ((url.host or "").lower(), url.port) == self._api_origin

    async def _check(self, url: URL) -> _Target | Disallowed | Transient:
        if url.scheme not in ("http", "https") or not url.raw_host:
            return Disallowed("not an http(s) link")
        if self._is_api_origin(url):
            return _Target(url)
        if url.scheme != "https":
            return Disallowed("only https links are fetched")
        host = url.raw_host
        literal = _ip_literal(host)
        if literal is not None:
            reason = self._address_policy(literal)
            return Disallowed(f"the link points at a {reason} address") if reason else _Target(url)
        port = url.port or 443
        try:
            resolver = self._resolver or self._default_resolver()
            async with asyncio.timeout(self._connect_timeout_s):
                answers = await resolver.resolve(host, port, family=socket.AF_UNSPEC)
        except TimeoutError:
            return Transient("resolving the video host took too long")
        except OSError as error:
            return Transient(f"could not resolve the video host: {error.strerror or error}")
        try:
            addresses = [ipaddress.ip_address(answer["host"]) for answer in answers]
        except ValueError:
            return Disallowed("the video host resolves to an address that cannot be checked")
        if not addresses:
            return Transient("the video host resolves to no address")
        for address in addresses:
            reason = self._address_policy(address)
            if reason is not None:
                return Disallowed(f"the video host resolves to a {reason} address")
        host_header = host if url.is_default_port() else f"{host}:{url.port}"
        return _Target(url.with_host(str(addresses[0])), host_header, host)

    def _default_resolver(self) -> AbstractResolver:
        self._resolver = aiohttp.ThreadedResolver()
        return self._resolver

    async def _get(self, target: _Target, dest: Path) -> DownloadOutcome | URL:
        """One request: the outcome, or where a redirect points."""
        headers = dict(VIDEO_HEADERS)
        if target.host_header is not None:
            headers["Host"] = target.host_header
        try:
            async with self._session.get(
                target.url,
                headers=headers,
                allow_redirects=False,
                timeout=self._timeout,
                server_hostname=target.server_hostname,
            ) as response:
                status = response.status
                if status in REDIRECT_STATUSES:
                    location = response.headers.get("Location")
                    if not location:
                        return Disallowed(f"HTTP {status} redirect without a Location")
                    return URL(location, encoded=True)
                if status == 429 or status >= 500:
                    return Transient(f"the video host answered HTTP {status}")
                if not 200 <= status < 300:
                    return Unavailable(status)
                declared = response.content_length
                if declared is not None and declared > self._max_bytes:
                    return Disallowed(f"the video is {declared} bytes, over {self._max_bytes}")
                return await self._save(response, dest)
        except (TimeoutError, aiohttp.ServerTimeoutError):
            return Transient("the video host did not answer in time")
        except aiohttp.ClientError as error:
            return Transient(f"the download failed ({type(error).__name__})")

    async def _save(self, response: aiohttp.ClientResponse, dest: Path) -> DownloadOutcome:
        received = 0
        try:
            file = await asyncio.to_thread(_open_for_writing, dest)
            try:
                async for chunk in response.content.iter_chunked(CHUNK_BYTES):
                    received += len(chunk)
                    if received > self._max_bytes:
                        return Disallowed(f"the video is over {self._max_bytes} bytes")
                    await asyncio.to_thread(file.write, chunk)
            finally:
                await asyncio.to_thread(file.close)
        except OSError as error:
            if isinstance(error, aiohttp.ClientError | TimeoutError):
                raise  # the connection, not the disk: _get reports it
            return Unwritable(f"could not write the video: {error.strerror or error}")
        return Downloaded(dest, received)


def _open_for_writing(path: Path) -> BinaryIO:
    path.parent.mkdir(parents=True, exist_ok=True)
    return open(path, "wb")  # closed by the caller, from a thread


def _ip_literal(host: str) -> IPAddress | None:
    try:
        return ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return None
