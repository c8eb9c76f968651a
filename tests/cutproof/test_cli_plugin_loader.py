"""The CLI's stand-in for pydantic's plugin loader: no plugin discovery (nor ``importlib.metadata``) while plugins
are off, the real loader as soon as they are turned on, and a user's own setting kept.

Each case runs in a fresh interpreter: the stand-in lives in ``sys.modules`` for the rest of a process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]

_CASE = """
import os, sys
from cutproof.cli.main import _no_plugin_loader
_no_plugin_loader()
from pydantic import BaseModel

class First(BaseModel):
    n: int

assert First(n=1).n == 1  # the first validator is built through the loader
print("metadata" if "importlib.metadata" in sys.modules else "no-metadata", os.environ["PYDANTIC_DISABLE_PLUGINS"])
os.environ["PYDANTIC_DISABLE_PLUGINS"] = ""  # plugins turned on later in the process

class Second(BaseModel):
    n: int

assert Second(n=2).n == 2
loader = sys.modules["pydantic.plugin._loader"]
print("real" if hasattr(loader, "PYDANTIC_ENTRY_POINT_GROUP") else "stand-in", list(loader.get_plugins()))
"""


def run_case(env_value: str | None) -> list[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    env.pop("PYDANTIC_DISABLE_PLUGINS", None)
    if env_value is not None:
        env["PYDANTIC_DISABLE_PLUGINS"] = env_value
    done = subprocess.run([sys.executable, "-c", _CASE], capture_output=True, text=True, env=env, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout.splitlines()


@pytest.mark.parametrize("env_value", [None, "1"])
def test_plugins_off_needs_no_metadata_and_turning_them_on_reaches_the_real_loader(env_value: str | None) -> None:
    first, then = run_case(env_value)
    assert first == f"no-metadata {env_value or '__all__'}"  # unset: turned off; a user's "1" kept
    assert then == "real []"  # the real loader answered (no plugin is installed here)


def test_a_user_who_turned_plugins_on_keeps_the_real_loader() -> None:
    first, then = run_case("")
    assert first == "metadata "
    assert then == "real []"
