"""The live stream: a signed-in client hears within 1 s that something changed in its shop (through the real bus,
the gateway's real worker and Redis), and a client that reconnects with Last-Event-ID gets what it missed."""

from __future__ import annotations

import json
import queue
import socket
import threading
import time

import requests

from shoplab.topology import SERVICES
from tests.integration.gateway.world import build_world
from tests.stack import eventually


class Listener:
    """One SSE client over a real socket, its frames handed to the test as they arrive."""

    def __init__(self, url: str, headers: dict[str, str]) -> None:
        self.frames: queue.Queue = queue.Queue()
        self.response = requests.get(url, headers=headers, stream=True, timeout=(2, 30))
        assert self.response.status_code == 200, self.response.text
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        frame: dict = {}
        try:
            for line in self.response.iter_lines(decode_unicode=True):
                if line == "":
                    if frame:
                        frame["at"] = time.monotonic()
                        self.frames.put(frame)
                    frame = {}
                elif not line.startswith(":"):
                    name, _, value = line.partition(": ")
                    frame[name] = value
        except (requests.RequestException, AttributeError):
            pass

    def next(self, event: str | None = None, timeout: float = 5.0) -> dict:
        deadline = time.monotonic() + timeout
        while True:
            frame = self.frames.get(timeout=max(deadline - time.monotonic(), 0.01))
            if event is None or frame.get("event") == event:
                return frame

    def close(self) -> None:
        # The reader thread sits in recv() holding the buffered reader's lock, so a plain close() would wait for the
        # server's next heartbeat; shutting the socket down wakes that recv() at once, as a browser tab closing does.
        sock = getattr(self.response.raw.connection, "sock", None)
        if sock is not None:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.response.close()


def _quiet(stack, shop_id: str) -> None:
    """Wait until the gateway's worker has rung for everything already on the bus (the school's own events)."""
    from gateway import live

    def settled() -> bool:
        before = live.current_seq(stack.redis, shop_id)
        time.sleep(0.3)
        return stack.redis.llen("gateway") == 0 and live.current_seq(stack.redis, shop_id) == before

    eventually(settled, timeout=30, message="the gateway worker drained its queue")


def test_the_stream_tells_within_1_s_and_catches_up_after_a_reconnect(served):
    world = build_world(served)
    served.served.serve("gateway")
    served.worker("gateway")
    shop = world.shops["A"]
    _quiet(served, shop)
    url = f"http://{SERVICES['gateway'].host}:{SERVICES['gateway'].port}/api/v1/shops/{shop}/stream"
    buyer = f"/api/v1/buyer/shops/{shop}/tickets/{world.ids['ticket_c-a1']}/messages"

    listener = Listener(url, world.headers["student1"])
    try:
        hello = listener.next("hello")
        start_seq = int(hello["id"])
        world.call("POST", buyer, world.buyer("A", "c-a1"), json={"body": "快递到哪了？"})
        sent = time.monotonic()
        frame = listener.next("message.received")
        assert frame["at"] - sent < 1.0, frame["at"] - sent
        data = json.loads(frame["data"])
        assert data["ids"]["ticket_id"] == world.ids["ticket_c-a1"] and data["shop_id"] == shop
        assert int(frame["id"]) > start_seq
        last_seen = int(frame["id"])
    finally:
        listener.close()

    # while the client is away: the buyer writes again and the student replies
    world.call("POST", buyer, world.buyer("A", "c-a1"), json={"body": "还在吗？"})
    staff = f"/api/v1/shops/{shop}/tickets/{world.ids['ticket_c-a1']}/messages"
    world.call("POST", f"/api/v1/shops/{shop}/agents/me/status", world.headers["student1"], json={"status": "online"})
    world.call("POST", staff, world.headers["student1"], json={"body": "在的，已经发货了。"})
    _quiet(served, shop)

    again = Listener(url, {**world.headers["student1"], "Last-Event-ID": str(last_seen)})
    try:
        assert again.next("hello")["id"] == str(last_seen)
        caught = []
        while True:
            try:
                caught.append(again.next(timeout=1.0))
            except queue.Empty:
                break
        seqs = [int(f["id"]) for f in caught]
        assert seqs == list(range(last_seen + 1, last_seen + 1 + len(seqs)))  # every one, in order, none twice
        types = [f["event"] for f in caught]
        assert "message.received" in types and "message.replied" in types
    finally:
        again.close()

    # a client from another shop hears nothing of this one; a sequence the shop never reached means "reload"
    other = Listener(url.replace(shop, world.shops["B"]), world.headers["student2"])
    try:
        other.next("hello")
        world.call("POST", buyer, world.buyer("A", "c-a1"), json={"body": "第三条"})
        _quiet(served, shop)
        assert other.frames.empty()
    finally:
        other.close()
    future = Listener(url, {**world.headers["student1"], "Last-Event-ID": "999999"})
    try:
        future.next("hello")
        assert future.next("reset")
    finally:
        future.close()


def test_the_stream_is_for_signed_in_people_of_the_shop(sqlite_served):
    # SQLite only: the fence is the same statement on both databases, run on both by the authorisation matrix
    world = build_world(sqlite_served)
    shop_url = f"/api/v1/shops/{world.shops['A']}/stream"
    assert world.gateway.get(shop_url).status_code == 401
    assert world.gateway.get(shop_url, headers=world.headers["student2"]).status_code == 404
    assert world.gateway.get(shop_url, headers=world.buyer("A", "c-a1")).status_code == 401
    bad = world.gateway.get(shop_url, headers={**world.headers["student1"], "Last-Event-ID": "x"})
    assert bad.status_code == 422
