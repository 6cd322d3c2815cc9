"""Packaging: `python -m build` makes an sdist and a wheel; the wheel installs
into a fresh venv and the README's quick start runs there against the real
core (the window answered like a user would)."""

from __future__ import annotations

import asyncio
import re
import sys
import tarfile
import zipfile
from pathlib import Path

from .controlled_core import ControlledCore

PACKAGE = Path(__file__).resolve().parents[1]


def readme_example() -> str:
    readme = (PACKAGE / "README.md").read_text("utf-8")
    match = re.search(r"<!-- example: python-quick-start[^>]*-->\n```python\n(.*?)```", readme, re.S)
    assert match is not None, "the README's quick start is marked for this test"
    return match.group(1)


async def run(*command: str, cwd: Path | None = None, env: dict[str, str] | None = None) -> str:
    process = await asyncio.create_subprocess_exec(*command, cwd=cwd, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    output, _ = await process.communicate()
    assert process.returncode == 0, f"{command[0:3]} failed:\n{output.decode()[-3000:]}"
    return output.decode()


async def test_the_wheel_installs_in_a_fresh_venv_and_runs_the_readme_example(tmp_path: Path, core: ControlledCore) -> None:
    dist = tmp_path / "dist"
    await run(sys.executable, "-m", "build", "--no-isolation", "--outdir", str(dist), str(PACKAGE))
    wheel = next(dist.glob("keyhold_bridge-*.whl"))
    sdist = next(dist.glob("keyhold_bridge-*.tar.gz"))
    with zipfile.ZipFile(wheel) as archive:
        names = archive.namelist()
    assert "keyhold_bridge/py.typed" in names
    assert not any(name.startswith("tests/") for name in names)
    with tarfile.open(sdist) as archive:
        assert any(name.endswith("keyhold_bridge/client.py") for name in archive.getnames())

    venv = tmp_path / "venv"
    await run(sys.executable, "-m", "venv", str(venv))
    python = str(venv / "bin" / "python")
    await run(python, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel))
    script = tmp_path / "example.py"
    script.write_text(readme_example())

    example = asyncio.create_task(run(python, str(script), cwd=tmp_path, env=core.env))
    prompt = await core.next_prompt(timeout_s=120)
    assert prompt.raw["server"] == "weather"
    await core.save(prompt, {"API_KEY": "sk-example-value"})
    output = await example
    assert "Got API_KEY (16 characters)." in output
    assert f"Approve in the Keyhold window showing {prompt.verification_code}" in output
    assert "sk-example-value" not in output
