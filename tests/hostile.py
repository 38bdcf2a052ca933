"""An article whose text, title and outlet name carry script payloads, for the web UI's escaping tests.

Written as inputs (a .txt file and a JSONL record) so that the payloads reach the store through the real pipeline.
"""

from __future__ import annotations

import json
from pathlib import Path

SCRIPT = "<script>window.__pwned=1</script>"
IMG = '<img src=x onerror="window.__pwned=1">'
JS_URL = "javascript:window.__pwned=1"
LINK = f'<a href="{JS_URL}">read this</a>'

TEXT = f"""Officials say {SCRIPT} shipment arrived

Officials said {SCRIPT} the shipment of 40 drones arrived in Odesa on Monday, according to the port authority.

A spokesman for the ministry said the picture {IMG} was posted by the attackers, and the ministry denied sending \
any drones.

"Click {JS_URL} to see more," the attackers wrote, according to Reuters. Another link, {LINK}, was shared widely.
"""

RECORD = {
    "id": "hostile-1",
    "url": JS_URL,  # ingest keeps only http(s) URLs; the web UI must not link it either way
    "title": f"Drones <b>arrive</b> {IMG}",
    "source": "Evil <i>Outlet</i> <script>window.__pwned=1</script>",
    "published": "2024-03-01",
    "text": f"Officials said {SCRIPT} the drones arrived in Odesa on Monday, according to the port authority. "
    f"A spokesman said the picture {IMG} was posted by the attackers. See {LINK}.",
}


def write_inputs(folder: Path) -> list[Path]:
    """The hostile .txt article and JSONL record, written into ``folder``."""
    text = folder / "hostile.txt"
    text.write_text(TEXT, encoding="utf-8")
    jsonl = folder / "hostile.jsonl"
    jsonl.write_text(json.dumps(RECORD) + "\n", encoding="utf-8")
    return [text, jsonl]
