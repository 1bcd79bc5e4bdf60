"""Where the bot serves `/healthz` and `/metrics`."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class HttpAddress:
    host: str
    port: int  # 0: any free port (the log line at start names the one taken)

    def __str__(self) -> str:
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"{host}:{self.port}"


@dataclass(frozen=True)
class ObserveSettings:
    # None: no web server at all.
    http_addr: HttpAddress | None = None
    # How long `/healthz` waits for the store to answer before it reports it down.
    store_timeout_s: float = 2.0
