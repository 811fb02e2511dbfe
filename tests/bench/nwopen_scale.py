"""NWOpen sets at the API's live size and ten times it, served on 127.0.0.1 like the API.

The records come from the held-out generator (tests/heldout/nwopen_heldout.py: a set nobody on
the pipeline wrote, 2,355 records of which its LC calls are a few dozen). Its in-scope records
are kept once, as the live API holds each LC project once; its other records are repeated with
new project ids until the set holds ``total`` records, as the live API's 15,000 projects are
almost all outside the LC calls. Pages are serialised once, so serving costs no CPU of note.

``python -m tests.bench.nwopen_scale 15000 --serve`` serves a set until Ctrl-C.
"""

from __future__ import annotations

import argparse
import copy
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import ClassVar
from urllib.parse import parse_qs, urlparse

from sources.calls import CallCatalogue
from tests.heldout.nwopen_heldout import generate

PATH = "/NWOpen-API/api/Projects"
PER_PAGE = 100


def _followed(catalogue: CallCatalogue, record: dict) -> bool:
    return catalogue.match_name("nwopen", record.get("funding_scheme")) is not None


def scaled_pages(total: int, seed: int = 20260101) -> list[bytes]:
    """``total`` records as API pages (JSON bytes), every project id distinct."""
    from orchestration.settings import CALLS_SEED

    pages, _ = generate(seed)
    records = [r for page in pages for r in page["projects"]]
    catalogue = CallCatalogue.from_csv(CALLS_SEED)
    in_scope = [r for r in records if _followed(catalogue, r)]
    other = [r for r in records if not _followed(catalogue, r)]
    meta = dict(pages[0]["meta"])
    count = max(total, len(in_scope))
    n_pages = -(-count // PER_PAGE)
    out: list[bytes] = []
    stream = _records(in_scope, other, count)
    for number in range(1, n_pages + 1):
        chunk = [next(stream) for _ in range(min(PER_PAGE, count - (number - 1) * PER_PAGE))]
        envelope = {
            "meta": {
                **meta,
                "count": count,
                "per_page": PER_PAGE,
                "pages": n_pages,
                "page": number,
            },
            "projects": chunk,
        }
        out.append(json.dumps(envelope, ensure_ascii=False).encode("utf-8"))
    return out


def _records(in_scope: list[dict], other: list[dict], count: int) -> Iterator[dict]:
    """The in-scope records spread through the set, the others repeated with new ids."""
    every = max(1, count // max(1, len(in_scope)))
    pending = list(in_scope)
    n_other = 0
    for index in range(count):
        if pending and (index % every == 0 or count - index <= len(pending)):
            yield pending.pop(0)
            continue
        base = other[n_other % len(other)]
        copy_number = n_other // len(other)
        n_other += 1
        if copy_number == 0:
            yield base
            continue
        record = copy.deepcopy(base)
        record["project_id"] = f"{base['project_id']}-X{copy_number}"
        yield record


class _Handler(BaseHTTPRequestHandler):
    pages: ClassVar[list[bytes]] = []

    def do_GET(self) -> None:
        url = urlparse(self.path)
        query = parse_qs(url.query)
        try:
            number = int(query.get("page", ["1"])[0])
            body = self.pages[number - 1] if url.path == PATH and number >= 1 else None
        except (ValueError, IndexError):
            body = None
        if body is None:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        return


@contextmanager
def serve(pages: list[bytes]) -> Iterator[str]:
    """Serve ``pages`` on 127.0.0.1 (an ephemeral port) and yield the endpoint URL."""
    handler = type("Handler", (_Handler,), {"pages": pages})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{PATH}"
    finally:
        server.shutdown()
        server.server_close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("total", type=int)
    parser.add_argument("--serve", action="store_true", help="serve until Ctrl-C")
    args = parser.parse_args()
    pages = scaled_pages(args.total)
    print(f"{len(pages)} pages, {sum(map(len, pages)) / 1e6:.1f} MB")
    if args.serve:
        with serve(pages) as url:
            print(f"LCM_NWOPEN_URL={url}")
            threading.Event().wait()


if __name__ == "__main__":
    main()
