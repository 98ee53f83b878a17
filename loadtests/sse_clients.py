"""Many server-sent-event clients in one thread (a selector over raw sockets), for the gateway's stream benchmark.

Each client sends an HTTP/1.0 request (so the answer is the bare event stream, no chunked framing), reads frames as
they come and records, for each notification, how long after its event's ``occurred_at`` it arrived (wall clock:
the producer, the gateway and this process share one machine, so one clock).
"""

from __future__ import annotations

import json
import selectors
import socket
import threading
import time
from datetime import datetime


class SseClients:
    def __init__(self, host: str, port: int, path: str, headers: dict[str, str], count: int) -> None:
        self.selector = selectors.DefaultSelector()
        self.lags: list[float] = []  # seconds from occurred_at to arrival, every client, every notification
        self.connected = 0
        self.errors: list[str] = []
        self._stop = threading.Event()
        request = f"GET {path} HTTP/1.0\r\nHost: {host}:{port}\r\nAccept: text/event-stream\r\n"
        request += "".join(f"{name}: {value}\r\n" for name, value in headers.items()) + "\r\n"
        for _ in range(count):
            sock = socket.create_connection((host, port), timeout=10)
            sock.sendall(request.encode())
            sock.setblocking(False)
            self.selector.register(sock, selectors.EVENT_READ, {"buffer": b"", "headers_done": False})
        self.thread = threading.Thread(target=self._run, name="sse-clients", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            for key, _ in self.selector.select(timeout=0.2):
                try:
                    chunk = key.fileobj.recv(65536)
                except (BlockingIOError, InterruptedError):
                    continue
                except OSError as exc:
                    self.errors.append(str(exc))
                    self.selector.unregister(key.fileobj)
                    continue
                if not chunk:
                    self.errors.append("closed by the server")
                    self.selector.unregister(key.fileobj)
                    continue
                self._feed(key.data, chunk)

    def _feed(self, state: dict, chunk: bytes) -> None:
        arrived = time.time()
        state["buffer"] += chunk
        if not state["headers_done"]:
            head, sep, rest = state["buffer"].partition(b"\r\n\r\n")
            if not sep:
                return
            if b" 200 " not in head.split(b"\r\n", 1)[0]:
                self.errors.append(head.split(b"\r\n", 1)[0].decode())
            state["headers_done"], state["buffer"] = True, rest
            self.connected += 1
        *frames, state["buffer"] = state["buffer"].split(b"\n\n")
        for frame in frames:
            for line in frame.split(b"\n"):
                if line.startswith(b"data: ") and b'"occurred_at"' in line:
                    entry = json.loads(line[6:])
                    self.lags.append(arrived - datetime.fromisoformat(entry["occurred_at"]).timestamp())

    def close(self) -> None:
        self._stop.set()
        self.thread.join(5)
        for key in list(self.selector.get_map().values()):
            key.fileobj.close()
        self.selector.close()
