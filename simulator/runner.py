"""The simulator process (``python -m simulator.runner``; supervised by ``make run``, a service in compose).

Once a wall second it asks the gateway which scenario runs are active (``GET /internal/scenario-runs``, the internal
credential), starts playing the new ones (a buyer key of the run's shop from the gateway, an ``HttpShopPort``, a
``ShopSimulation`` from the run's scenario, seed and beginning), forgets the stopped and finished ones, and ticks
every running one to the shop's clock a ``SETTLE_SECONDS`` behind now, so what the shop did in the last moments has
been seen. A paused run is not ticked: its clock stands still, and its buyers do nothing new. After each round it
reports each run (how far its buyers were run, their actions and assessed replies, the lag) to
``POST /internal/scenario-runs/<id>/report``; a run that reached its end is reported finished.

**Lag**: the wall seconds between the moment a step fell due on the shop's clock and the end of the tick that ran it
(the worst of each report): what "keeps up with the scenario clock" means. It includes the settle margin.
"""

from __future__ import annotations

import logging
import os
import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from shoplab.shops.clock import ShopClock
from shoplab.shops.profiles import load_profile
from simulator.engine import ShopSimulation
from simulator.gateway_http import BuyerApi, GatewayHttp, GatewayUnavailable
from simulator.http_port import HttpShopPort
from simulator.scenario import shipped_scenarios

log = logging.getLogger("simulator")
POLL_SECONDS = float(os.environ.get("SHOPLAB_SIMULATOR_POLL", "1.0"))
SETTLE_SECONDS = float(os.environ.get("SHOPLAB_SIMULATOR_SETTLE", "1.0"))
THREADS = int(os.environ.get("SHOPLAB_SIMULATOR_THREADS", "8"))
REPORT_SECONDS = 2.0  # a running run's report at most this often (each is a write in the gateway's database)
QUIET_REPORT_SECONDS = 10.0  # and at least this often, even when nothing changed


def clock_of(wire: dict[str, Any]) -> ShopClock:
    return ShopClock(
        datetime.fromisoformat(wire["wall_anchor"]),
        datetime.fromisoformat(wire["sim_anchor"]),
        float(wire["speed"]),
        bool(wire["paused"]),
        int(wire["version"]),
    )


@dataclass
class RunPlayer:
    """One active run played by this process."""

    run: dict[str, Any]
    simulation: ShopSimulation
    clock: ShopClock
    base: tuple[int, int] = (0, 0)  # actions and replies a previous process reported for this run
    sent: int = 0  # this process's replies the gateway has taken
    reported: tuple[int, int] = (-1, -1)  # the actions and replies of the last report taken
    reported_at: float = 0.0
    lag: float = 0.0
    reached: datetime | None = None
    finished: bool = False
    errors: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def tick(self, settle: float) -> None:
        if self.run["status"] != "running" or self.finished:
            return
        simulation = self.simulation
        shop_now = self.clock.now(datetime.now(UTC) - timedelta(seconds=settle))
        first_due = simulation.next_due()
        simulation.tick(min(shop_now, simulation.end), speed=self.clock.speed)
        self.reached = max(self.reached or shop_now, min(shop_now, simulation.end))
        if first_due is not None and first_due <= shop_now:
            due_wall = self.clock.wall_anchor + (first_due - self.clock.sim_anchor) / self.clock.speed
            self.lag = max(self.lag, (datetime.now(UTC) - due_wall).total_seconds())
        self.finished = shop_now >= simulation.end

    def report_due(self) -> bool:
        """Whether to report now: at the end, when something changed (running: at most every ``REPORT_SECONDS``;
        paused: at once, so the last actions before a pause are counted), and every ``QUIET_REPORT_SECONDS``."""
        world, waited = self.simulation.world, time.monotonic() - self.reported_at
        changed = self.reported != (len(world.log), len(world.replies))
        if self.finished or waited >= QUIET_REPORT_SECONDS:
            return True
        return changed and (self.run["status"] != "running" or waited >= REPORT_SECONDS)

    def report(self) -> tuple[dict[str, Any], int]:
        """The report, and how many of this process's replies it carries in all (``sent`` once it was taken)."""
        world = self.simulation.world
        replies = list(world.replies)
        first = self.base[1] + self.sent
        body = {
            "reached_at": self.reached.isoformat() if self.reached else None,
            "actions": self.base[0] + len(world.log),
            "replies": self.base[1] + len(replies),
            "lag_seconds": round(self.lag, 3),
            "finished": self.finished,
            "assessments": [
                {"seq": first + number, **reply.to_dict()} for number, reply in enumerate(replies[self.sent :])
            ],
        }
        return body, len(replies)


class SimulatorProcess:
    def __init__(self, http: GatewayHttp | None = None, *, settle: float = SETTLE_SECONDS) -> None:
        self.http = http or GatewayHttp()
        self.settle = settle
        self.players: dict[str, RunPlayer] = {}
        self.pool = ThreadPoolExecutor(THREADS, thread_name_prefix="simulate")

    def step(self) -> None:
        """One round: pick runs up, tick what runs, report."""
        runs = {run["id"]: run for run in self.http.internal("GET", "/internal/scenario-runs")}
        for run_id in [r for r in self.players if r not in runs]:
            del self.players[run_id]  # stopped or finished
        fresh = [run for run_id, run in runs.items() if run_id not in self.players]
        for player in self.pool.map(self._start, fresh):  # a class's runs start side by side
            if player is not None:
                self.players[player.run["id"]] = player
        for run_id, player in self.players.items():
            player.run, player.clock = runs[run_id], clock_of(runs[run_id]["clock"])
        list(self.pool.map(self._play, list(self.players.values())))

    def _play(self, player: RunPlayer) -> None:
        with player.lock:
            try:
                player.tick(self.settle)
            except GatewayUnavailable as exc:
                log.warning("run %s: the gateway did not answer (%s); trying again next round", player.run["id"], exc)
            except Exception:  # a buyer's step that failed must not stop the other runs
                player.errors += 1
                log.exception("run %s: a tick failed", player.run["id"])
            if not player.report_due():
                return
            body, sent = player.report()
            try:
                self.http.internal("POST", f"/internal/scenario-runs/{player.run['id']}/report", body)
                player.sent, player.lag = sent, 0.0
                player.reported = (len(player.simulation.world.log), sent)
                player.reported_at = time.monotonic()
            except GatewayUnavailable as exc:
                log.warning("run %s: report not taken (%s)", player.run["id"], exc)

    def _start(self, run: dict[str, Any]) -> RunPlayer | None:
        try:
            key = self.http.internal("POST", f"/internal/scenario-runs/{run['id']}/buyer-key")["key"]
        except GatewayUnavailable as exc:
            log.warning("run %s: no buyer key yet (%s)", run["id"], exc)
            return None
        clock = clock_of(run["clock"])
        scenario = shipped_scenarios()[run["scenario"]]
        begins, ends = datetime.fromisoformat(run["begins_at"]), datetime.fromisoformat(run["ends_at"])
        if run.get("reached_at"):  # played by a process that died: its buyers start afresh from now
            begins = max(begins, clock.now())
        port = HttpShopPort(BuyerApi(self.http, run["shop_id"], key), clock_of(run["clock"]).now, run_id=run["id"])
        simulation = ShopSimulation(
            shop_id=run["shop_id"],
            scenario=scenario,
            profile=load_profile(run["platform"]),
            port=port,
            start=begins,
            seed=run["seed"],
        )
        simulation.end = ends
        player = RunPlayer(run, simulation, clock, base=(run.get("actions") or 0, run.get("replies") or 0))
        port.view.shop_time = lambda wall: player.clock.now(wall)  # the clock as the gateway says it now
        log.info("run %s: %s on shop %s from %s", run["id"], run["scenario"], run["shop_id"], begins.isoformat())
        return player

    def run_forever(self, stop: threading.Event) -> None:
        away = False  # said once an outage (make run starts the simulator with the gateway)
        while not stop.is_set():
            started = time.monotonic()
            try:
                self.step()
                away = False
            except GatewayUnavailable as exc:
                (log.debug if away else log.warning)("the gateway did not answer (%s); trying again", exc)
                away = True
            stop.wait(max(0.05, POLL_SECONDS - (time.monotonic() - started)))
        self.pool.shutdown(wait=True)


def main() -> None:
    logging.basicConfig(level=os.environ.get("SHOPLAB_SIMULATOR_LOG", "INFO"), format="%(levelname)s %(message)s")
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    SimulatorProcess().run_forever(stop)


if __name__ == "__main__":
    main()
