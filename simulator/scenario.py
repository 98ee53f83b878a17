"""Scenarios: YAML files mapped to the course's exercises (``simulator/scenarios/*.yaml``).

A file with an unknown key or an impossible value is refused with every problem, each with its line and reason
(``ScenarioError``), before anything runs.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from marshmallow import ValidationError

from simulator.population import PopulationSpec
from simulator.reference_data import default_levels
from simulator.scenario_schema import ScenarioSchema
from simulator.yaml_lines import LocatedYaml, YamlProblem, load_located

SCENARIO_DIR = Path(__file__).resolve().parent / "scenarios"


@dataclass(frozen=True)
class Problem:
    line: int
    path: str
    reason: str

    def __str__(self) -> str:
        return f"line {self.line}: {self.path + ': ' if self.path else ''}{self.reason}"


class ScenarioError(ValueError):
    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = sorted(problems, key=lambda problem: (problem.line, problem.path))
        super().__init__(f"{source} is refused:\n" + "\n".join(f"  {problem}" for problem in self.problems))


@dataclass(frozen=True)
class StartSpec:
    time_of_day: str
    timezone: str
    date: date | None


@dataclass(frozen=True)
class InjectionSpec:
    at: int  # seconds from the start
    kind: str
    params: Mapping[str, Any]


@dataclass(frozen=True)
class Kpi:
    metric: str
    target: str
    within: int | None
    label: str | None


@dataclass(frozen=True)
class Scenario:
    name: str
    title: str
    title_zh: str
    platforms: tuple[str, ...]
    learning_goal: str
    learning_goal_zh: str
    seed: int
    duration: int  # seconds of shop time
    clock_speed: float
    start: StartSpec | None
    buyers: Mapping[str, Any]
    order_rate: tuple[tuple[int, float], ...]  # (seconds from the start, journeys per shop hour)
    behaviour: Mapping[str, float]  # levels over behaviour.yaml's
    injections: tuple[InjectionSpec, ...]
    kpis: tuple[Kpi, ...]
    source: str = "<text>"

    def population_spec(self) -> PopulationSpec:
        languages = self.buyers.get("languages")
        return PopulationSpec(
            count=self.buyers["count"],
            temperaments=self.buyers.get("temperaments"),
            languages=tuple(languages) if languages else None,
            response_target_seconds=self.buyers.get("response_target_seconds"),
            levels=dict(self.behaviour),
        )

    def start_at(self, not_before: datetime) -> datetime:
        """When the scenario starts on a shop whose clock reads ``not_before``: its ``start`` moment (a day and a
        time of day in a time zone), or the next time of that day's time if the day has passed or is not given, since
        a shop's clock never goes back; without ``start``, at once."""
        if self.start is None:
            return not_before
        zone = ZoneInfo(self.start.timezone)
        hour, minute = (int(part) for part in self.start.time_of_day.split(":"))
        local = not_before.astimezone(zone)
        day = self.start.date or local.date()
        moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
        while moment < not_before:
            day += timedelta(days=1)
            moment = datetime.combine(day, time(hour, minute), tzinfo=zone)
        return moment.astimezone(not_before.tzinfo)

    def level(self, name: str) -> float:
        return float(self.behaviour.get(name, default_levels()[name]))


def parse_scenario(text: str, source: str = "<text>") -> Scenario:
    try:
        located = load_located(text)
    except YamlProblem as problem:
        raise ScenarioError(source, [Problem(problem.line, "", problem.reason)]) from None
    if not isinstance(located.data, dict):
        raise ScenarioError(source, [Problem(1, "", "a scenario is a mapping of keys")])
    try:
        loaded = ScenarioSchema().load(located.data)
    except ValidationError as error:
        raise ScenarioError(source, _problems(error.messages, located)) from None
    return _scenario(loaded, source)


def load_scenario(path: str | Path) -> Scenario:
    path = Path(path)
    return parse_scenario(path.read_text(encoding="utf-8"), source=path.name)


def shipped_scenarios() -> dict[str, Scenario]:
    """Every scenario that ships with ShopLab, by name."""
    scenarios = [load_scenario(path) for path in sorted(SCENARIO_DIR.glob("*.yaml"))]
    return {scenario.name: scenario for scenario in scenarios}


def _problems(messages: Any, located: LocatedYaml, path: tuple[Any, ...] = ()) -> list[Problem]:
    if isinstance(messages, Mapping):
        found: list[Problem] = []
        for key, value in messages.items():
            step = () if key == "_schema" else (key,)
            found.extend(_problems(value, located, (*path, *step)))
        return found
    texts = messages if isinstance(messages, list) else [messages]
    written = tuple(step for step in path if step not in ("key", "value") or step in located.lines)
    shown = ".".join(str(step) for step in written)
    return [Problem(located.line_of(written), shown, str(text)) for text in texts]


def _scenario(loaded: dict[str, Any], source: str) -> Scenario:
    start = loaded.get("start")
    return Scenario(
        name=loaded["name"],
        title=loaded["title"],
        title_zh=loaded["title_zh"],
        platforms=tuple(loaded["platforms"]),
        learning_goal=loaded["learning_goal"],
        learning_goal_zh=loaded["learning_goal_zh"],
        seed=loaded["seed"],
        duration=loaded["duration"],
        clock_speed=loaded["clock_speed"],
        start=StartSpec(start["time_of_day"], start["timezone"], start.get("date")) if start else None,
        buyers=dict(loaded["buyers"]),
        order_rate=tuple((point["at"], point["per_hour"]) for point in loaded["order_rate"]),
        behaviour=dict(loaded.get("behaviour", {})),
        injections=tuple(
            InjectionSpec(item["at"], item["kind"], {k: v for k, v in item.items() if k not in ("at", "kind")})
            for item in sorted(loaded.get("injections", []), key=lambda item: item["at"])
        ),
        kpis=tuple(
            Kpi(item["metric"], item["target"].strip(), item.get("within"), item.get("label"))
            for item in loaded["kpis"]
        ),
        source=source,
    )
