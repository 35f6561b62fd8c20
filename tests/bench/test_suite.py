"""Prompt suites: the shipped ones are complete, and a broken one is refused with a reason."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from desktop.bench.errors import BenchError
from desktop.bench.suite import CATEGORIES, load_suite, parse_suite
from desktop.resources import resource, resources_dir


def test_resources_dir_is_the_top_level_folder() -> None:
    assert resources_dir() == Path(__file__).resolve().parents[2] / "resources"
    assert resource("prompts", "default.json").is_file()


def test_default_suite_has_twelve_prompts_covering_every_category() -> None:
    suite = load_suite("default")
    assert len(suite.prompts) >= 12
    assert suite.categories() == set(CATEGORIES)
    assert all(p.messages and p.messages[-1].role == "user" for p in suite.prompts)


def test_code_editing_prompts_carry_the_code_to_edit() -> None:
    edits = [p for p in load_suite("default").prompts if p.category == "code editing"]
    assert edits and all("```" in p.messages[-1].content for p in edits)


def test_quick_suite_has_four_prompts() -> None:
    assert len(load_suite("quick").prompts) == 4


def test_messages_and_prompt_forms_both_load() -> None:
    suite = parse_suite(
        {
            "prompts": [
                {"id": "a", "category": "chat", "prompt": "hi"},
                {
                    "id": "b",
                    "category": "translation",
                    "messages": [{"role": "system", "content": "s"}, {"role": "user", "content": "u"}],
                },
            ]
        },
        "mine",
    )
    assert suite.name == "mine"
    assert [m.role for m in suite.prompts[1].messages] == ["system", "user"]
    assert suite.prompts[0].messages[0].content == "hi"


@pytest.mark.parametrize(
    ("data", "why"),
    [
        ({"prompts": []}, "no prompts"),
        ({"prompts": [{"id": "a", "category": "poetry", "prompt": "x"}]}, "category"),
        ({"prompts": [{"id": "a", "category": "chat"}]}, "needs 'prompt'"),
        (
            {"prompts": [{"id": "a", "category": "chat", "messages": [{"role": "robot", "content": "x"}]}]},
            "roles",
        ),
        (
            {
                "prompts": [
                    {"id": "a", "category": "chat", "prompt": "x"},
                    {"id": "a", "category": "chat", "prompt": "y"},
                ]
            },
            "duplicate",
        ),
        ([1, 2], "prompts' list"),
    ],
)
def test_broken_suites_are_refused_with_a_reason(data: object, why: str) -> None:
    with pytest.raises(BenchError, match=why):
        parse_suite(data, "x")


def test_a_suite_can_be_a_json_file(tmp_path: Path) -> None:
    path = tmp_path / "mine.json"
    path.write_text(json.dumps({"prompts": [{"id": "a", "category": "chat", "prompt": "hi"}]}))
    assert load_suite(str(path)).name == "mine"
    with pytest.raises(BenchError, match="no prompt suite"):
        load_suite("no-such-suite")
    path.write_text("{not json")
    with pytest.raises(BenchError, match="cannot read"):
        load_suite(str(path))
