"""The headless fallback ``KEYHOLD_FALLBACK=env``, with the same rules as ``@keyhold/bridge``.

Secret ``<server>/<name>`` comes from ``KEYHOLD_SECRET_<SERVER>_<NAME>`` (upper
case, every character other than A-Z and 0-9 turned into ``_``), only when the
app is unreachable; once the app has answered, its decisions stand (a denial,
cancel or timeout is never turned into a fallback read). One warning goes to
stderr (never stdout, a stdio MCP server's protocol stream); it names
variables, never values.
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable

from .discovery import Environment
from .errors import KeyholdError, KeyholdNotFound, error_for
from .protocol import ENV_FALLBACK, ENV_SECRET_PREFIX

FALLBACK_ENV_MODE = "env"


def fallback_variable(server: str, name: str) -> str:
    """``demo``, ``api-token`` → ``KEYHOLD_SECRET_DEMO_API_TOKEN``."""

    def part(text: str) -> str:
        return re.sub(r"[^A-Z0-9]", "_", text.upper())

    return f"{ENV_SECRET_PREFIX}{part(server)}_{part(name)}"


def _write_warning(message: str) -> None:
    sys.stderr.write(f"{message}\n")


class EnvFallback:
    """One client's view of the fallback; the warning is printed at most once."""

    def __init__(self, env: Environment, server: str, warn: Callable[[str], None] | None = None) -> None:
        self._env = env
        self._server = server
        self._warn = warn or _write_warning
        self._warned = False

    @property
    def mode(self) -> str:
        return self._env.get(ENV_FALLBACK, "")

    @property
    def enabled(self) -> bool:
        return self.mode == FALLBACK_ENV_MODE

    def values(self, names: list[str], unreachable: KeyholdError) -> dict[str, str]:
        values: dict[str, str] = {}
        missing: list[str] = []
        for name in names:
            value = self._env.get(fallback_variable(self._server, name), "")
            if value == "":
                missing.append(fallback_variable(self._server, name))
            else:
                values[name] = value
        if missing:
            verb = "is" if len(missing) == 1 else "are"
            raise KeyholdNotFound(f"{unreachable.message.rstrip('.')}; {ENV_FALLBACK}={FALLBACK_ENV_MODE} is set, but {', '.join(missing)} {verb} not.")
        if not self._warned:
            self._warned = True
            variables = ", ".join(fallback_variable(self._server, name) for name in names)
            self._warn(
                f"keyhold ({self._server}): the Keyhold app is not reachable and {ENV_FALLBACK}={FALLBACK_ENV_MODE} is set: "
                f"reading {variables} from the environment, without asking anyone. Unset it to require the app."
            )
        return values

    def has(self, name: str) -> bool:
        return self._env.get(fallback_variable(self._server, name), "") != ""

    def explain(self, error: KeyholdError) -> KeyholdError:
        """``error`` with the sentence on how to opt in (or what is wrong with the setting)."""
        mode = self.mode
        if mode == FALLBACK_ENV_MODE:
            return error
        if mode:
            hint = f' {ENV_FALLBACK} is set to "{mode[:40]}", which this version does not know: the only value is "{FALLBACK_ENV_MODE}".'
        else:
            hint = (
                f" On a machine without Keyhold (CI), set {ENV_FALLBACK}={FALLBACK_ENV_MODE} and give each secret as "
                f"{ENV_SECRET_PREFIX}<SERVER>_<NAME> (here {fallback_variable(self._server, '')}<NAME>)."
            )
        return error_for(error.code, f"{error.message}{hint}")
