"""The documents that make claims about tests must name tests that exist."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_test_named_in_the_hazard_log_exists():
    text = (ROOT / "docs" / "hazard-log.md").read_text()
    references = set(re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text))
    assert len(references) > 30
    missing = [
        f"{path}::{name}"
        for path, name in sorted(references)
        if not (ROOT / path).exists() or not re.search(rf"^def {name}\(", (ROOT / path).read_text(), re.M)
    ]
    assert missing == []


def test_readme_starts_with_the_two_commands():
    text = (ROOT / "README.md").read_text()
    setup = text.split("## Set up", 1)[1].split("##", 1)[0]
    assert "make run" in setup and "make test" in setup
