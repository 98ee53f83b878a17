"""What the flows between services need from the gateway: a shop opened for every service, and its clock moved,
both the real way (the gateway's API publishes ``shop.opened`` / ``shop.clock_changed``; each service's worker
keeps its copy). Everything else a flow does goes through the services' own HTTP APIs and events."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.stack import eventually


class GatewayShop:
    def __init__(self, stack, services: tuple[str, ...], platform: str = "taobao") -> None:
        self.stack = stack
        self.services = services
        self.headers = stack.sign_in()
        opened = stack.client("gateway").post(
            "/api/v1/shops", json={"name": "流程测试店 Flow shop", "platform": platform}, headers=self.headers
        )
        assert opened.status_code == 201, opened.get_json()
        self.id: str = opened.get_json()["id"]
        self.version = 1
        self._wait_for_copies()

    def pause_at_local(self, hour: int, zone_offset_hours: int) -> datetime:
        """Jump the clock forward to the next ``hour`` o'clock of a zone ``zone_offset_hours`` east of UTC, and
        pause it there, so a flow meets no one's quiet hours whenever it runs."""
        now = self.now()
        target = now.replace(minute=0, second=0, microsecond=0) + timedelta(hours=(hour - zone_offset_hours - now.hour))
        while target <= now:
            target += timedelta(days=1)
        self.change(paused=True, advance_seconds=(target - now).total_seconds())
        return target

    def advance(self, **delta: float) -> None:
        self.change(advance_seconds=timedelta(**delta).total_seconds())

    def change(self, **clock: Any) -> None:
        changed = self.stack.client("gateway").post(f"/api/v1/shops/{self.id}/clock", json=clock, headers=self.headers)
        assert changed.status_code == 200, changed.get_json()
        self.version += 1
        self._wait_for_copies()

    def now(self) -> datetime:
        shop = self.stack.client("gateway").get(f"/api/v1/shops/{self.id}", headers=self.headers).get_json()
        return datetime.fromisoformat(shop["clock"]["now"]).astimezone(UTC)

    def _wait_for_copies(self) -> None:
        for service in self.services:
            eventually(
                lambda service=service: (
                    (r := self.stack.client(service).get(f"/shops/{self.id}")).status_code == 200
                    and r.get_json()["clock"]["version"] == self.version
                ),
                timeout=15,
                message=f"{service} has clock version {self.version} of shop {self.id}",
            )
