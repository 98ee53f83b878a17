"""Read YAML keeping where every key and item was written, so a refusal can name the line.

PyYAML composes the document into nodes that carry their position; this builds the plain Python values from those
nodes and a map from each value's path (``("injections", 2, "kind")``) to its line. Duplicate keys, which PyYAML
would silently resolve to the last one, are refused with both lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]


class YamlProblem(ValueError):
    def __init__(self, line: int, reason: str) -> None:
        super().__init__(f"line {line}: {reason}")
        self.line = line
        self.reason = reason


@dataclass
class LocatedYaml:
    data: Any
    lines: dict[Path, int] = field(default_factory=dict)

    def line_of(self, path: Path) -> int:
        """The line of ``path``, or of its nearest ancestor that was written (a missing key: its mapping's line)."""
        while path and path not in self.lines:
            path = path[:-1]
        return self.lines.get(path, 1)


def load_located(text: str) -> LocatedYaml:
    loader = yaml.SafeLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return LocatedYaml(None, {(): 1})
        located = LocatedYaml(None, {(): node.start_mark.line + 1})
        located.data = _build(loader, node, (), located.lines)
        return located
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise YamlProblem(mark.line + 1 if mark else 1, f"not valid YAML: {exc.problem or exc}") from exc
    finally:
        loader.dispose()


def _build(loader: yaml.SafeLoader, node: yaml.Node, path: Path, lines: dict[Path, int]) -> Any:
    if isinstance(node, yaml.MappingNode):
        built: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                raise YamlProblem(key_node.start_mark.line + 1, "merge keys (<<) are not allowed here")
            key = loader.construct_object(key_node, deep=True)
            if not isinstance(key, str | int | float | bool):
                raise YamlProblem(key_node.start_mark.line + 1, "a key must be a plain value")
            line = key_node.start_mark.line + 1
            if key in built:
                first = lines[(*path, key)]
                raise YamlProblem(line, f"duplicate key {key!r} (first on line {first})")
            lines[(*path, key)] = line
            built[key] = _build(loader, value_node, (*path, key), lines)
        return built
    if isinstance(node, yaml.SequenceNode):
        items = []
        for index, item_node in enumerate(node.value):
            lines[(*path, index)] = item_node.start_mark.line + 1
            items.append(_build(loader, item_node, (*path, index), lines))
        return items
    return loader.construct_object(node, deep=True)
