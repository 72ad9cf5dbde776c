"""A second, independent iCalendar reader for tests: RFC 5545 content lines by hand.

Lines end in CRLF (3.1); a line that starts with a space or a tab continues the one
before (unfolding); each line is ``NAME *(;PARAM=VALUE) : VALUE``; components nest
between BEGIN and END. Text values unescape ``\\n``, ``\\,``, ``\\;`` and ``\\\\`` (3.3.11).
Strict where icalendar is lenient: a bare LF, an unclosed component or a line longer
than 75 octets fails the read.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Component:
    name: str
    props: list[tuple[str, dict[str, str], str]] = field(default_factory=list)
    children: list[Component] = field(default_factory=list)

    def get(self, name: str) -> str | None:
        return next((v for n, _, v in self.props if n == name), None)

    def params(self, name: str) -> dict[str, str]:
        return next((p for n, p, _ in self.props if n == name), {})

    def walk(self, name: str) -> list[Component]:
        found = [self] if self.name == name else []
        for child in self.children:
            found += child.walk(name)
        return found


def _unescape(value: str) -> str:
    out, i = [], 0
    while i < len(value):
        ch = value[i]
        if ch == "\\" and i + 1 < len(value):
            nxt = value[i + 1]
            out.append("\n" if nxt in "nN" else nxt)
            i += 2
            continue
        out.append(ch)
        i += 1
    return "".join(out)


def _split(line: str) -> tuple[str, dict[str, str], str]:
    """Name, parameters and value; a colon inside a quoted parameter is not the split."""
    quoted = False
    for i, ch in enumerate(line):
        if ch == '"':
            quoted = not quoted
        elif ch == ":" and not quoted:
            head, value = line[:i], line[i + 1 :]
            break
    else:
        raise ValueError(f"content line without a value: {line!r}")
    name, *params = head.split(";")
    return name.upper(), dict(p.split("=", 1) for p in params), value


def read(data: bytes) -> Component:
    text = data.decode("utf-8")
    if "\n" in text.replace("\r\n", ""):
        raise ValueError("a line ends in a bare LF, not CRLF")
    physical = text.split("\r\n")
    if physical and physical[-1] == "":
        physical.pop()
    for line in physical:
        if len(line.encode("utf-8")) > 75:
            raise ValueError(f"line longer than 75 octets: {line[:40]!r}...")
    logical: list[str] = []
    for line in physical:
        if line[:1] in (" ", "\t") and logical:
            logical[-1] += line[1:]
        else:
            logical.append(line)
    stack: list[Component] = []
    root: Component | None = None
    for line in logical:
        name, params, value = _split(line)
        if name == "BEGIN":
            comp = Component(value.upper())
            if stack:
                stack[-1].children.append(comp)
            stack.append(comp)
        elif name == "END":
            if not stack or stack[-1].name != value.upper():
                raise ValueError(f"END:{value} without its BEGIN")
            root = stack.pop()
        else:
            if not stack:
                raise ValueError(f"property outside a component: {line!r}")
            stack[-1].props.append((name, params, _unescape(value)))
    if stack or root is None:
        raise ValueError("unclosed component")
    return root
