"""Print the role × permission × scope matrix as Markdown, for docs/permissions.md (a test keeps them equal)."""

from django.core.management.base import BaseCommand

from accounts.models import Role
from accounts.permissions import PERMISSION_DESCRIPTIONS, ROLE_PERMISSIONS, ROLE_SCOPE, SCOPE_DESCRIPTIONS, Perm


def matrix_markdown() -> str:
    """The table, generated from accounts.permissions so it cannot drift from the code."""
    roles = list(Role)
    lines = [
        "| Permission | What it allows | " + " | ".join(r.label for r in roles) + " |",
        "|---|---|" + "---|" * len(roles),
    ]
    for perm in Perm:
        cells = ["✓" if perm in ROLE_PERMISSIONS[r] else "–" for r in roles]
        lines.append(f"| `{perm.value}` | {PERMISSION_DESCRIPTIONS[perm]} | " + " | ".join(cells) + " |")
    lines += ["", "| Role | Scope: which records the ✓ applies to |", "|---|---|"]
    lines += [f"| {r.label} | {SCOPE_DESCRIPTIONS[ROLE_SCOPE[r]]} |" for r in roles]
    return "\n".join(lines) + "\n"


class Command(BaseCommand):
    help = "Print the permission matrix as Markdown."

    def handle(self, *args, **options):
        self.stdout.write(matrix_markdown(), ending="")
