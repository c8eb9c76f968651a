"""YAML loading that keeps the line of every value, so errors can point at ``file:line``.

``load_yaml`` returns plain data plus a ``Marks`` map from key paths (tuples of keys and list indexes) to
1-based line numbers. Duplicate mapping keys, which PyYAML silently accepts, are reported as errors. PyYAML loads
with the first ``load_yaml`` (a command whose packs all come from ``policies._parsed`` never imports it).
"""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import yaml

Path = tuple[str | int, ...]


class Marks:
    """Line numbers of the values of a loaded YAML document, by key path."""

    def __init__(self, lines: dict[Path, int]) -> None:
        self._lines = lines

    def line(self, path: Path) -> int | None:
        """Line of the value at ``path``, or of its nearest ancestor that has one."""
        p = tuple(path)
        while p:
            if p in self._lines:
                return self._lines[p]
            p = p[:-1]
        return self._lines.get((), None)

    def items(self) -> list[tuple[Path, int]]:
        """Every key path with its line, in document order."""
        return list(self._lines.items())


class YamlSyntaxError(Exception):
    """The text is not YAML (or has a duplicate key); ``line`` is 1-based or None."""

    def __init__(self, line: int | None, problem: str) -> None:
        self.line = line
        self.problem = problem
        super().__init__(problem)


def load_yaml(text: str) -> tuple[Any, Marks]:
    """Parse one YAML document with the safe loader; dates stay ISO strings so every value is JSON-compatible.

    Raises:
        YamlSyntaxError: the text is not a single valid YAML document or has a duplicate key.
    """
    import yaml

    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, Marks({})
        lines: dict[Path, int] = {}
        _walk(node, (), lines)
        data = loader.construct_document(node)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        raise YamlSyntaxError(line, f"not valid YAML: {exc.problem or exc.context}") from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(None, f"not valid YAML: {exc}") from None
    finally:
        loader.dispose()
    return data, Marks(lines)


def _walk(node: yaml.Node, path: Path, lines: dict[Path, int]) -> None:
    import yaml

    lines[path] = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        seen: dict[Any, int] = {}
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else str(key_node.value)
            if key in seen:
                raise YamlSyntaxError(
                    key_node.start_mark.line + 1, f"duplicate key {key!r} (first at line {seen[key]})"
                )
            seen[key] = key_node.start_mark.line + 1
            _walk(value_node, (*path, key), lines)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _walk(item, (*path, i), lines)


@functools.cache
def _loader_class() -> type:
    """The safe loader (libyaml's when available, same results), keeping timestamps as strings (pydantic parses
    them; hashing needs JSON values)."""
    import yaml

    base: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def timestamp_as_string(loader: yaml.SafeLoader, node: yaml.Node) -> str:
        return str(loader.construct_scalar(node))  # type: ignore[arg-type]

    loader = type("_Loader", (base,), {})
    loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp_as_string)
    return loader
