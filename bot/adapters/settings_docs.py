"""The configuration reference, generated from the settings model.

`.env.example` and the README's table are written from here (`python -m
bot.adapters.settings_docs`), and a test fails when either differs from the model, so
the documentation cannot drift from what the code reads.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from pydantic.fields import FieldInfo

from bot.adapters.settings import Settings

README_BEGIN = "<!-- settings:begin -->"
README_END = "<!-- settings:end -->"


def _default(info: FieldInfo) -> str:
    if info.default_factory is not None:
        return ""  # computed at start; the description says how
    value = info.default
    if value is None or value == ():
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, tuple):
        return ",".join(str(v) for v in value)
    return str(value)


def fields() -> list[tuple[str, str, str]]:
    """(variable, default, description) for every setting, in model order."""
    return [
        (str(info.alias), _default(info), info.description or "")
        for info in Settings.model_fields.values()
    ]


def env_example() -> str:
    """The text of `.env.example`: every variable, its meaning and a safe default."""
    lines = [
        "# Nashir settings. Copy to .env and fill in what you need; every value shown",
        "# is the default. Secrets belong in .env or the environment, never in git.",
        "",
    ]
    for name, default, description in fields():
        lines.append(f"# {description}")
        lines.append(f"{name}={default}")
        lines.append("")
    return "\n".join(lines)


def markdown_table() -> str:
    """The README's configuration reference table."""
    rows = ["| variable | default | meaning |", "| --- | --- | --- |"]
    for name, default, description in fields():
        shown = f"`{default}`" if default else "none"
        meaning = description.replace("|", "\\|")
        rows.append(f"| `{name}` | {shown} | {meaning} |")
    return "\n".join(rows)


def readme_with_table(readme: str) -> str:
    """The README with its generated block replaced by the current table."""
    block = f"{README_BEGIN}\n{markdown_table()}\n{README_END}"
    pattern = re.compile(re.escape(README_BEGIN) + ".*?" + re.escape(README_END), re.S)
    return pattern.sub(lambda _: block, readme)


def main(root: Path) -> None:
    """Rewrite `.env.example` and the README table under `root`."""
    (root / ".env.example").write_text(env_example(), encoding="utf-8")
    readme = root / "README.md"
    readme.write_text(readme_with_table(readme.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
