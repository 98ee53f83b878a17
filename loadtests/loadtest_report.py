"""The load test's own report: locust's CSV files and the scraped event lag histograms, summed up (``report.json``)
and drawn (``report.html``, offline: the vendored ECharts is copied next to it, no CDN).

Figures: requests/s, failures and p50/p99 per route (locust's totals); users, requests/s and p50/p99 over time
(locust's history, whose percentiles are over its last 10 s); event lag per subscriber over time, p50/p99 of each
2-second interval read from the histogram's bucket increments (interpolated inside a bucket, as Prometheus's
``histogram_quantile`` does) and its mean. The aims checked: no errors, p99 under 500 ms around the step, event lag
(p99) under 1 s from 30 s after the peak on.
"""

from __future__ import annotations

import csv
import json
import shutil
from pathlib import Path
from typing import Any

from loadtests.promotion_day import PromotionDayCurve

ROOT = Path(__file__).resolve().parent.parent
ECHARTS = ROOT / "gateway" / "web" / "static" / "vendor" / "echarts-6.1.0.common.min.js"
AIM_P99_MS, AIM_LAG_S, LAG_SETTLE_S = 500.0, 1.0, 30.0


def _number(value: str) -> float | None:
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _rows(path: Path) -> list[dict[str, str]]:
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def routes(out: Path) -> list[dict[str, Any]]:
    return [
        {"method": row["Type"], "route": row["Name"], "requests": int(row["Request Count"]),
         "failures": int(row["Failure Count"]), "rps": _number(row["Requests/s"]),
         "p50_ms": _number(row["50%"]), "p99_ms": _number(row["99%"]), "max_ms": _number(row["100%"])}
        for row in _rows(out / "locust_stats.csv")
    ]  # fmt: skip


def timeline(out: Path) -> list[dict[str, Any]]:
    rows = [row for row in _rows(out / "locust_stats_history.csv") if row["Name"] == "Aggregated"]
    return [
        {"at": float(row["Timestamp"]), "users": int(row["User Count"]), "rps": _number(row["Requests/s"]),
         "fps": _number(row["Failures/s"]), "p50_ms": _number(row["50%"]), "p99_ms": _number(row["99%"])}
        for row in rows
    ]  # fmt: skip


def quantile(q: float, buckets: list[tuple[float, float]]) -> float | None:
    """``buckets``: (upper bound, cumulative count of the interval), in order, the last +Inf; None when empty."""
    total = buckets[-1][1] if buckets else 0
    if total <= 0:
        return None
    rank, lower, below = q * total, 0.0, 0.0
    for bound, cumulative in buckets:
        if cumulative >= rank:
            if bound == float("inf"):
                return lower
            share = (rank - below) / (cumulative - below) if cumulative > below else 1.0
            return lower + (bound - lower) * share
        lower, below = (bound if bound != float("inf") else lower), cumulative
    return lower


def lag_series(samples: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Per subscriber: each interval between two scrapes with its events' p50, p99 and mean lag."""
    by_subscriber: dict[str, list[dict[str, Any]]] = {}
    for sample in samples:
        by_subscriber.setdefault(sample["subscriber"], []).append(sample)
    series: dict[str, list[dict[str, Any]]] = {}
    for subscriber, rows in sorted(by_subscriber.items()):
        points = []
        for before, after in zip(rows, rows[1:], strict=False):
            count = after["count"] - before["count"]
            if count <= 0:
                continue
            bounds = sorted(after["buckets"], key=lambda le: float(le))
            delta = [(float(le), after["buckets"][le] - before["buckets"].get(le, 0.0)) for le in bounds]
            points.append({"at": after["at"], "events": count, "mean_s": (after["sum"] - before["sum"]) / count,
                           "p50_s": quantile(0.5, delta), "p99_s": quantile(0.99, delta)})  # fmt: skip
        series[subscriber] = points
    return series


def verdict(report: dict[str, Any], minutes: float) -> dict[str, Any]:
    """The aims, against the shape's moments (``loadtests.promotion_day``)."""
    line = report["timeline"]
    start = line[0]["at"] if line else 0.0
    curve = PromotionDayCurve(length=minutes * 60)
    midnight = start + curve.midnight
    peak_end = midnight + curve.step
    around_step = [p["p99_ms"] for p in line if midnight <= p["at"] <= peak_end + 30 and p["p99_ms"] is not None]
    settled = [
        point["p99_s"] for points in report["lag"].values() for point in points
        if point["at"] >= peak_end + LAG_SETTLE_S and point["p99_s"] is not None
    ]  # fmt: skip
    failures = sum(route["failures"] for route in report["routes"] if route["route"] != "Aggregated")
    worst_step = max(around_step, default=None)
    worst_lag = max(settled, default=None)
    return {
        "failures": failures,
        "p99_ms_around_step": worst_step,
        "lag_p99_s_after_peak_plus_30s": worst_lag,
        "no_errors": failures == 0,
        "p99_under_500ms_at_step": worst_step is not None and worst_step < AIM_P99_MS,
        "lag_under_1s_30s_after_peak": worst_lag is not None and worst_lag < AIM_LAG_S,
        "step_at_seconds": round(midnight - start, 1),
        "peak_until_seconds": round(peak_end - start, 1),
    }


def write(out: Path, samples: list[dict[str, Any]], *, load_before: str, load_after: str, command: str,
          minutes: float) -> dict[str, Any]:  # fmt: skip
    report: dict[str, Any] = {
        "command": command, "minutes": minutes, "load_before": load_before, "load_after": load_after,
        "routes": routes(out), "timeline": timeline(out), "lag": lag_series(samples),
    }  # fmt: skip
    report["verdict"] = verdict(report, minutes)
    (out / "report.json").write_text(json.dumps(report, indent=1), encoding="utf-8")
    shutil.copyfile(ECHARTS, out / ECHARTS.name)
    (out / "report.html").write_text(_html(report), encoding="utf-8")
    return report


def summary_text(report: dict[str, Any]) -> str:
    lines = [f"{'route':58} {'reqs':>6} {'fail':>5} {'rps':>6} {'p50 ms':>7} {'p99 ms':>7}"]
    for route in report["routes"]:
        lines.append(f"{(route['method'] + ' ' + route['route'])[:58]:58} {route['requests']:>6} "
                     f"{route['failures']:>5} {route['rps'] or 0:>6.1f} {route['p50_ms'] or 0:>7.0f} "
                     f"{route['p99_ms'] or 0:>7.0f}")  # fmt: skip
    for subscriber, points in report["lag"].items():
        worst = max((p["p99_s"] for p in points if p["p99_s"] is not None), default=None)
        events = sum(p["events"] for p in points)
        lines.append(f"event lag {subscriber:8} {events:>6.0f} events, worst interval p99 {worst or 0:.3f} s")
    lines.append(f"verdict: {json.dumps(report['verdict'])}")
    return "\n".join(lines)


def _html(report: dict[str, Any]) -> str:
    start = report["timeline"][0]["at"] if report["timeline"] else 0.0
    data = {
        "t": [round(p["at"] - start, 1) for p in report["timeline"]],
        "users": [p["users"] for p in report["timeline"]],
        "rps": [p["rps"] for p in report["timeline"]],
        "fps": [p["fps"] for p in report["timeline"]],
        "p50": [p["p50_ms"] for p in report["timeline"]],
        "p99": [p["p99_ms"] for p in report["timeline"]],
        "lag": {s: [[round(p["at"] - start, 1), p["p50_s"], p["p99_s"], p["mean_s"]] for p in points]
                for s, points in report["lag"].items()},
    }  # fmt: skip
    rows = "".join(
        f"<tr><td>{r['method']} {r['route']}</td><td>{r['requests']}</td><td>{r['failures']}</td>"
        f"<td>{r['rps'] or 0:.1f}</td><td>{r['p50_ms'] or 0:.0f}</td><td>{r['p99_ms'] or 0:.0f}</td></tr>"
        for r in report["routes"]
    )
    return TEMPLATE.format(
        echarts=ECHARTS.name, rows=rows, data=json.dumps(data), verdict=json.dumps(report["verdict"], indent=1),
        load_before=report["load_before"], load_after=report["load_after"], command=report["command"],
    )  # fmt: skip


TEMPLATE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ShopLab promotion-day load test</title>
<script src="{echarts}"></script>
<style>body{{font:14px sans-serif;margin:1.5em}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;
padding:2px 8px;text-align:right}} td:first-child{{text-align:left}} .chart{{width:100%;height:320px}}</style></head>
<body><h1>Promotion-day load test</h1>
<p><code>{command}</code> — load before: <code>{load_before}</code>; after: <code>{load_after}</code></p>
<h2>Aims</h2><pre>{verdict}</pre>
<h2>Per route</h2><table><tr><th>route</th><th>requests</th><th>failures</th><th>req/s</th><th>p50 ms</th>
<th>p99 ms</th></tr>{rows}</table>
<h2>Users and throughput</h2><div id="load" class="chart"></div>
<h2>Latency (locust's last 10 s)</h2><div id="latency" class="chart"></div>
<h2>Event lag per subscriber (commit → handled), per 2-s interval</h2><div id="lag" class="chart"></div>
<script>
const d = {data};
const still = {{animation: false}};  // a report: drawn at once (also when printed or captured)
const axis = {{type: "value", name: "s since start"}};
function line(name, ys, extra) {{ return Object.assign({{name, type: "line", showSymbol: false,
  data: d.t.map((t, i) => [t, ys[i]])}}, extra || {{}}); }}
echarts.init(document.getElementById("load")).setOption({{...still, tooltip: {{trigger: "axis"}}, legend: {{}},
  xAxis: axis,
  yAxis: [{{type: "value", name: "req/s"}}, {{type: "value", name: "users"}}],
  series: [line("req/s", d.rps), line("failures/s", d.fps), line("users", d.users, {{yAxisIndex: 1}})]}});
echarts.init(document.getElementById("latency")).setOption({{...still, tooltip: {{trigger: "axis"}}, legend: {{}},
  xAxis: axis,
  yAxis: {{type: "value", name: "ms"}}, series: [line("p50", d.p50), line("p99", d.p99),
  {{name: "aim 500 ms", type: "line", showSymbol: false, data: [[d.t[0], 500], [d.t[d.t.length - 1], 500]],
    lineStyle: {{type: "dashed"}}}}]}});
const lag = [];
for (const [s, pts] of Object.entries(d.lag)) {{
  lag.push({{name: s + " p99", type: "line", showSymbol: false, data: pts.map(p => [p[0], p[2]])}});
  lag.push({{name: s + " p50", type: "line", showSymbol: false, lineStyle: {{type: "dotted"}},
    data: pts.map(p => [p[0], p[1]])}});
}}
echarts.init(document.getElementById("lag")).setOption({{...still, tooltip: {{trigger: "axis"}},
  legend: {{type: "scroll"}},
  xAxis: axis, yAxis: {{type: "value", name: "seconds"}}, series: lag}});
</script></body></html>
"""
