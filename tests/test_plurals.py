"""Plurals right everywhere: no template prints a count straight before a plural noun ("1 families", "waiting 1
days"); each says `{{ n }} famil{{ n|pluralize:"y,ies" }}` or similar. The dashboard's own rendering with counts of
1 and 2 is tested in tests/dashboards/test_summary.py."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
NOUNS = (
    "families|referrals|days|weeks|hours|minutes|months|years|cycles|visits|letters|practitioners|clips|rows|"
    "records|notices|trainees|sessions|measures|questions|parents|children|films|reviews|requests|results|items"
)
COUNT_THEN_PLURAL = re.compile(r"\{\{[^}]*\}\}\s+(?:" + NOUNS + r")\b")


def test_no_template_prints_a_count_before_a_fixed_plural():
    found = [
        f"{path.relative_to(TEMPLATES)}: {match[0]}"
        for path in sorted(TEMPLATES.rglob("*.html"))
        for match in COUNT_THEN_PLURAL.finditer(path.read_text(encoding="utf-8"))
    ]
    assert found == []
