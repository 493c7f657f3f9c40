"""The docs cannot drift: every setting and every sub-command is in the README."""

from __future__ import annotations

import re
from pathlib import Path

from pydantic import BaseModel

from daemon import cli
from daemon.config import Settings

README = (Path(__file__).parents[1] / "README.md").read_text()


def _env_names(model: type[BaseModel], prefix: str) -> list[str]:
    names = []
    for name, info in model.model_fields.items():
        sub = info.annotation
        if isinstance(sub, type) and issubclass(sub, BaseModel):
            names += _env_names(sub, f"{prefix}{name.upper()}__")
        else:
            names.append(f"{prefix}{name.upper()}")
    return names


def test_every_setting_is_documented() -> None:
    missing = [n for n in _env_names(Settings, "APINBOX_") if n not in README]
    assert missing == []


def test_every_subcommand_is_documented() -> None:
    parser = cli._parser()
    actions = [a for a in parser._actions if a.dest == "command"]
    commands = sorted(actions[0].choices)  # type: ignore[arg-type]
    missing = [c for c in commands if f"apinbox {c}" not in README]
    assert missing == []


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    block = re.findall(r"```bash\n(.*?)```", section, re.S)[0]
    assert [line for line in block.splitlines() if line.strip()] == [
        "bash scripts/quickstart.sh",
        "bash scripts/test.sh",
    ]
