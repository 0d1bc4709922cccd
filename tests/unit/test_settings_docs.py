"""The configuration reference is generated from the settings model and must match it."""

from pathlib import Path

from bot.adapters.settings import env_names
from bot.adapters.settings_docs import env_example, readme_with_table

ROOT = Path(__file__).resolve().parents[2]


def test_env_example_lists_every_setting_as_generated() -> None:
    assert (ROOT / ".env.example").read_text(encoding="utf-8") == env_example(), (
        "run `python -m bot.settings_docs` to regenerate .env.example"
    )


def test_readme_table_matches_the_settings_model() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert readme_with_table(readme) == readme, "run `python -m bot.settings_docs`"
    for name in env_names():
        assert f"`{name}`" in readme


def test_every_setting_has_a_description() -> None:
    text = env_example()
    for name in env_names():
        index = text.index(f"\n{name}=")
        comment = text[:index].rsplit("\n", 1)[-1]
        assert comment.startswith("# "), name
        assert len(comment) > 10, name
