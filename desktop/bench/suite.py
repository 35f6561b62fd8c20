"""Prompt suites: JSON files in resources/prompts, each prompt with an id, a category and messages."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from desktop.bench.errors import BenchError
from desktop.engine.chat import Message
from desktop.resources import resource

CATEGORIES = ("chat", "code writing", "code editing", "rewriting", "summarising", "translation")
ROLES = ("system", "user", "assistant")


@dataclass(frozen=True, slots=True)
class BenchPrompt:
    """One conversation to reply to; `category` is one of CATEGORIES."""

    id: str
    category: str
    messages: tuple[Message, ...]


@dataclass(frozen=True, slots=True)
class Suite:
    """A named list of prompts."""

    name: str
    prompts: tuple[BenchPrompt, ...]

    def categories(self) -> set[str]:
        return {p.category for p in self.prompts}


def suite_path(name: str) -> Path:
    """A suite shipped in resources/prompts by name, or any JSON file by path."""
    if name.endswith(".json") or "/" in name:
        return Path(name)
    return resource("prompts", f"{name}.json")


def _prompt(entry: object, where: str) -> BenchPrompt:
    if not isinstance(entry, dict):
        raise BenchError(f"{where}: a prompt must be an object")
    pid, category = entry.get("id"), entry.get("category")
    if not isinstance(pid, str) or not pid:
        raise BenchError(f"{where}: a prompt needs a string 'id'")
    if category not in CATEGORIES:
        raise BenchError(f"{where}: prompt {pid!r} has category {category!r}, not one of {CATEGORIES}")
    if "prompt" in entry:
        if not isinstance(entry["prompt"], str):
            raise BenchError(f"{where}: prompt {pid!r}: 'prompt' must be a string")
        messages: tuple[Message, ...] = (Message("user", entry["prompt"]),)
    else:
        raw = entry.get("messages")
        if not isinstance(raw, list) or not raw:
            raise BenchError(f"{where}: prompt {pid!r} needs 'prompt' or a non-empty 'messages' list")
        try:
            messages = tuple(Message(m["role"], m["content"]) for m in raw)
        except (KeyError, TypeError) as e:
            raise BenchError(f"{where}: prompt {pid!r}: each message needs 'role' and 'content'") from e
        if any(m.role not in ROLES or not isinstance(m.content, str) for m in messages):
            raise BenchError(f"{where}: prompt {pid!r}: roles must be one of {ROLES}")
    return BenchPrompt(pid, category, messages)


def parse_suite(data: object, name: str, where: str = "suite") -> Suite:
    """A suite from its decoded JSON; BenchError names what is wrong."""
    if not isinstance(data, dict) or not isinstance(data.get("prompts"), list):
        raise BenchError(f"{where}: expected an object with a 'prompts' list")
    prompts = tuple(_prompt(e, where) for e in data["prompts"])
    if not prompts:
        raise BenchError(f"{where}: the suite has no prompts")
    ids = [p.id for p in prompts]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    if dupes:
        raise BenchError(f"{where}: duplicate prompt ids: {', '.join(dupes)}")
    return Suite(str(data.get("name") or name), prompts)


def load_suite(name: str) -> Suite:
    """The suite called `name` in resources/prompts, or the JSON file at path `name`."""
    path = suite_path(name)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BenchError(f"no prompt suite {name!r} (looked for {path})") from None
    except (OSError, ValueError) as e:
        raise BenchError(f"cannot read prompt suite {path}: {e}") from e
    return parse_suite(data, path.stem, str(path))
