"""Just enough of nginx's configuration syntax to compare the project's proxy
settings with what docker-compose and the Kubernetes Ingress use."""

import re
from dataclasses import dataclass, field
from pathlib import Path

TOKEN = re.compile(r"""#[^\n]*|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|[{};]|[^\s{};"'#]+""")
SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3}
TIME_UNITS = {"": 1, "s": 1, "m": 60, "h": 3600}


@dataclass
class Block:
    name: str
    args: list[str]
    directives: list[tuple[str, list[str]]] = field(default_factory=list)
    blocks: list["Block"] = field(default_factory=list)

    def values(self, name: str) -> list[list[str]]:
        return [args for directive, args in self.directives if directive == name]

    def value(self, name: str) -> str | None:
        found = self.values(name)
        assert len(found) <= 1, f"{name} is set {len(found)} times in {self.name} {self.args}"
        return found[0][0] if found else None

    def children(self, name: str) -> list["Block"]:
        return [block for block in self.blocks if block.name == name]

    def walk(self):
        yield self
        for block in self.blocks:
            yield from block.walk()


def parse(text: str) -> Block:
    root = Block("main", [])
    stack, words = [root], []
    for token in TOKEN.findall(text):
        if token.startswith("#"):
            continue
        if token == "{":
            block = Block(words[0], words[1:])
            stack[-1].blocks.append(block)
            stack.append(block)
            words = []
        elif token == "}":
            stack.pop()
        elif token == ";":
            stack[-1].directives.append((words[0], [_unquote(word) for word in words[1:]]))
            words = []
        else:
            words.append(token)
    assert len(stack) == 1, "unbalanced braces"
    return root


def parse_file(path: Path) -> Block:
    return parse(path.read_text())


def size_in_bytes(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([kmgKMG]?)", value).groups()
    return int(number) * SIZE_UNITS[unit.lower()]


def seconds(value: str) -> int:
    number, unit = re.fullmatch(r"(\d+)([smh]?)", value).groups()
    return int(number) * TIME_UNITS[unit]


def _unquote(word: str) -> str:
    return word[1:-1] if word[:1] in "\"'" and word[-1:] == word[:1] else word
