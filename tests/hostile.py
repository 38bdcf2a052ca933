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


# --- hostile files: each writes one malformed input (issue 18) ----------------------------------------------

GOOD_TEXT = (
    "Ferry timetable cut while the harbour dredging overruns\n\n"
    "Passengers on the Wrenfield ferry face a reduced timetable for three more weeks after dredging of the inner "
    "harbour fell behind schedule, the port authority said on Monday.\n\n"
    "Only the morning and late afternoon crossings will run until the channel is deep enough for the larger vessel."
)


def good_text(tag: str) -> str:
    """GOOD_TEXT made a different article: ``tag`` in its title and first sentence (ids are text hashes)."""
    return GOOD_TEXT.replace("Ferry", f"Ferry {tag}").replace("Passengers", f"Passengers ({tag})")


def good_record(n: int = 1) -> dict[str, object]:
    """A JSONL record that is stored whole: the good line beside the bad ones."""
    return {"id": f"good-{n}", "title": f"Good record {n}", "text": GOOD_TEXT.replace("three", f"{n + 3}")}


def jsonl_lines(*lines: str | dict[str, object]) -> bytes:
    """JSONL bytes from raw strings (written as they are) and records (dumped)."""
    return b"".join((line if isinstance(line, str) else json.dumps(line)).encode() + b"\n" for line in lines)


def damaged_gzip(data: bytes) -> bytes:
    """``data`` gzipped, with the middle of its deflate stream overwritten: zlib fails (or the CRC check does)."""
    import gzip

    packed = bytearray(gzip.compress(data, mtime=0))
    middle = len(packed) // 2
    packed[middle : middle + 16] = b"\xff" * 16
    return bytes(packed)


def cut_gzip(data: bytes) -> bytes:
    """``data`` gzipped and cut off at two thirds, as a download stopped mid-way leaves it."""
    import gzip

    packed = gzip.compress(data, mtime=0)
    return packed[: len(packed) * 2 // 3]


def warc_without_target_uri(path: Path) -> None:
    """A WARC whose first response record lacks WARC-Target-URI, then a good record."""
    import io

    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=path.suffix == ".gz")
        for n, url in enumerate(["https://warc.example/no-uri", "https://warc.example/good"]):
            headers = StatusAndHeaders("200 OK", [("Content-Type", "text/html; charset=utf-8")], protocol="HTTP/1.1")
            payload = io.BytesIO(html_page(good_text(f"warc {n}")).encode())
            record = writer.create_warc_record(url, "response", payload=payload, http_headers=headers)
            if n == 0:
                record.rec_headers.remove_header("WARC-Target-URI")
            writer.write_record(record)


def html_page(text: str = GOOD_TEXT, charset: str = "utf-8") -> str:
    """A plain article page declaring ``charset``."""
    title, _, body = text.partition("\n\n")
    paragraphs = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
    return (
        f'<!DOCTYPE html><html lang="en"><head><meta charset="{charset}"><title>{title}</title></head>'
        f"<body><article><h1>{title}</h1>{paragraphs}</article></body></html>"
    )
