"""Issue 7, "Faults", the preview: `pressroom serve` keeps serving under 200 concurrent
requests, a client that disconnects mid-response, and a burst of 500 file changes.

The server runs in-process on 127.0.0.1 (a free port); every loop is bounded in count and time."""

from __future__ import annotations

import os
import socket
import struct
import threading
import time
from concurrent.futures import ThreadPoolExecutor

from tests.conftest import release, wait_for, write_files
from tests.test_serve import http as quick_http


def http(port: int, path: str) -> tuple[int, dict[str, str], bytes]:
    """A request that may wait: the preview answers from a complete build only, so a request
    made during a rebuild of 500 releases waits for it (seconds on a busy machine)."""
    return quick_http(port, path, timeout=120)

SITE = {
    "content/news/2024/first.md": "---\ntitle: First release\ndate: 2024-01-09\nslug: first\n---\nHello.\n",
    "assets/big.bin": os.urandom(4_000_000),
}


def complete_page(status: int, body: bytes) -> bool:
    return status == 200 and body.rstrip().endswith(b"</html>")


def test_200_concurrent_requests_are_all_answered_in_full(preview):
    server = preview(SITE)
    start = threading.Barrier(200)

    def fetch(n: int) -> tuple[int, bytes]:
        start.wait(timeout=30)
        status, _, body = http(server.port, "/news/2024/first/" if n % 2 else "/")
        return status, body

    with ThreadPoolExecutor(max_workers=200) as pool:
        answers = list(pool.map(fetch, range(200)))
    assert all(complete_page(status, body) for status, body in answers)
    assert sum(b"First release" in body for _, body in answers) == 200


def hang_up_mid_response(port: int, path: str, read: int) -> None:
    """Ask for a large file, read a little of it, then reset the connection."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\n\r\n".encode())
        received = 0
        while received < read:
            received += len(conn.recv(min(65536, read - received)) or b"x" * read)
        conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST, not FIN


def test_clients_that_hang_up_mid_response_do_not_disturb_the_others(preview):
    server = preview(SITE)
    for n in range(30):
        hang_up_mid_response(server.port, "/assets/big.bin", read=1024 * (1 + n))
        if n % 10 == 0:  # and a request that never finishes its headers
            with socket.create_connection(("127.0.0.1", server.port), timeout=10) as conn:
                conn.sendall(b"GET / HTTP/1.1\r\nHost: 127.0.")
    status, _, body = http(server.port, "/assets/big.bin")
    assert status == 200 and body == (server.site_dir / "assets" / "big.bin").read_bytes()
    assert complete_page(*http(server.port, "/")[::2])


def test_a_burst_of_500_file_changes_is_built_while_serving_continues(preview):
    server = preview(SITE)
    answers: list[tuple[int, bool]] = []
    stop = threading.Event()

    def keep_asking() -> None:
        while not stop.is_set() and len(answers) < 2000:
            status, _, body = http(server.port, "/")
            answers.append((status, complete_page(status, body)))

    reader = threading.Thread(target=keep_asking)
    reader.start()
    try:
        write_files(server.site_dir, {
            f"content/news/2025/burst-{n:03}.md": release(f"Burst {n}", "2025-01-01", f"Release {n} of a burst.")
            for n in range(500)
        })
        wait_for(lambda: http(server.port, "/news/2025/burst-499/")[0] == 200, timeout=120, message="the last file of the burst to be built")
    finally:
        stop.set()
        reader.join(timeout=60)
    assert answers and all(ok for _, ok in answers), {status for status, ok in answers if not ok}
    assert len(answers) > 1
    for n in (0, 250, 499):
        status, _, body = http(server.port, f"/news/2025/burst-{n}/")
        assert complete_page(status, body) and f"Release {n} of a burst.".encode() in body
