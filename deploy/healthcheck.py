"""The container's HEALTHCHECK: exit 0 when the bot's /healthz answers 200, 1 otherwise.

Standard library only (slim images have no curl). It asks the address the bot serves
/healthz on: HEALTH_LISTEN, else WEBHOOK_LISTEN (webhook mode), else 127.0.0.1:8080; a
wildcard host (0.0.0.0, ::) is asked on the loopback address.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request


def health_url(env: dict[str, str]) -> str:
    raw = (env.get("HEALTH_LISTEN") or env.get("WEBHOOK_LISTEN") or "127.0.0.1:8080").strip()
    host, _, port = raw.rpartition(":")
    host = host.strip("[]")
    if host in ("", "0.0.0.0"):
        host = "127.0.0.1"
    elif host == "::":
        host = "::1"
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/healthz"


def main() -> int:
    url = health_url(dict(os.environ))
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            body = response.read(2048).decode("utf-8", "replace")
            print(body)
            return 0 if response.status == 200 else 1
    except urllib.error.HTTPError as error:  # 503: the database or the scheduler is not fine
        print(f"{url}: {error.code} {error.read(2048).decode('utf-8', 'replace')}")
        return 1
    except (OSError, ValueError) as error:
        print(f"{url}: {error}")
        return 1


if __name__ == "__main__":
    sys.exit(main())
