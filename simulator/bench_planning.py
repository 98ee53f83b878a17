"""How many buyer actions one process plans and carries out per second, and what a class of shops needs.

``python -m simulator.bench_planning [--shops 60] [--scenario double11_promotion_day] [--platform taobao]`` plays the
scenario on that many in-memory shops with the scripted student, times the simulation's ticks alone (observing,
deciding, assessing replies, calling the zero-latency in-memory port), and compares that capacity with the busiest
wall minute the scenario asks of every shop at once. Phase 2 adds the HTTP round trips to the gateway, which this does
not measure; the headroom here says how much of a process's time they may take.
"""

from __future__ import annotations

import argparse
import os
import time
from collections import Counter

from simulator.rehearsal import rehearse
from simulator.scenario import shipped_scenarios


def busiest_wall_minute(actions, speed: float) -> int:
    """The most buyer actions of one shop within one minute of wall time."""
    per_minute = Counter(int(record.t / speed // 60) for record in actions)
    return max(per_minute.values(), default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--shops", type=int, default=60)
    parser.add_argument("--scenario", default="double11_promotion_day")
    parser.add_argument("--platform", default="taobao")
    args = parser.parse_args()
    scenario = shipped_scenarios()[args.scenario]
    began, engine, cpu, actions, ticks, peak = time.perf_counter(), 0.0, 0.0, 0, 0, 0
    for number in range(args.shops):
        result = rehearse(scenario, args.platform, shop_id=f"shop{number:02d}")
        engine += result.engine_seconds
        cpu += result.engine_cpu_seconds
        actions += len(result.actions)
        ticks += result.ticks
        peak = max(peak, busiest_wall_minute(result.actions, scenario.clock_speed))
    elapsed = time.perf_counter() - began
    capacity = actions / cpu
    needed = peak * args.shops / 60
    load = os.getloadavg()
    print(
        f"scenario {scenario.name} on {args.shops} {args.platform} shops, {scenario.duration / 3600:g} h of shop time"
    )
    print(f"buyer actions: {actions} ({actions // args.shops} per shop); ticks: {ticks}")
    print(
        f"engine: {cpu:.1f} s CPU, {engine:.1f} s wall, of {elapsed:.1f} s in all (the rest: the in-memory shop and "
        "the scripted student)"
    )
    print(
        f"capacity: {capacity:,.0f} buyer actions per CPU second of one process ({actions / engine:,.0f} per wall "
        "second on this machine now)"
    )
    print(f"per tick: {1e6 * cpu / ticks:,.0f} µs CPU on average per shop tick (observe + run what is due)")
    print(f"busiest wall minute: {peak} actions per shop -> {needed:,.1f} actions/s for {args.shops} shops")
    print(f"headroom: {capacity / needed:,.1f}x" if needed else "headroom: no actions")
    print(f"machine: {os.cpu_count()} cores, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}")


if __name__ == "__main__":
    main()
