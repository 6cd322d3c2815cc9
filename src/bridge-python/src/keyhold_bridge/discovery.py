"""Finding the Keyhold app: which URL to dial and which token to present.

Order (the first that applies wins), as in ``@keyhold/bridge``:

1. ``url`` + ``token`` given to the client in code;
2. ``KEYHOLD_BRIDGE_URL`` + ``KEYHOLD_BRIDGE_TOKEN`` in the environment;
3. ``bridge.json`` in the data directory (``KEYHOLD_HOME``, else the
   platform's app-data dir), rewritten by the app with a fresh token on
   every start.

Each pair is all-or-nothing. The file is read again on every connect attempt.
A file whose ``pid`` has exited means "not running", without dialling.

Ownership check (POSIX): the data directory and ``bridge.json`` must belong
to the current user and must not be writable by group or others; otherwise
another local user could plant a ``bridge.json`` pointing this server at a
program of theirs (which would then receive the token and impersonate the
app's windows). Such a directory is refused with ``invalid_request`` and a
fix-it command, never used. No message built here contains a token.
"""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from .errors import KeyholdInvalidRequest, KeyholdUnavailable
from .protocol import DISCOVERY_FILE_NAME, ENV_BRIDGE_TOKEN, ENV_BRIDGE_URL, ENV_HOME, discovery_file, string

APP_DIR_NAME = "Keyhold"
Environment = Mapping[str, str]


@dataclass(frozen=True)
class EndpointSource:
    kind: Literal["options", "env", "file"]
    path: str | None = None
    pid: int | None = None
    app_version: str | None = None

    def describe(self) -> str:
        if self.kind == "options":
            return "from the KeyholdClient `url` option"
        if self.kind == "env":
            return f"from {ENV_BRIDGE_URL}"
        return f"from {self.path}"


@dataclass(frozen=True)
class BridgeEndpoint:
    url: str
    token: str
    source: EndpointSource

    def __repr__(self) -> str:  # never print the token
        return f"BridgeEndpoint(url={self.url!r}, source={self.source!r})"


@dataclass(frozen=True)
class DiscoveryOptions:
    url: str | None = None
    token: str | None = None
    data_dir: str | None = None
    env: Environment | None = None

    def environment(self) -> Environment:
        return self.env if self.env is not None else os.environ


def resolve_data_dir(env: Environment, platform: str = sys.platform, home: str | None = None) -> str:
    """``KEYHOLD_HOME`` when set, else the platform's app-data dir (the app's ``userData``)."""
    explicit = env.get(ENV_HOME, "")
    if explicit.strip():
        return explicit
    home_dir = home if home is not None else str(Path.home())
    if platform == "darwin":
        return os.path.join(home_dir, "Library", "Application Support", APP_DIR_NAME)
    if platform == "win32":
        return os.path.join(env.get("APPDATA") or os.path.join(home_dir, "AppData", "Roaming"), APP_DIR_NAME)
    xdg = env.get("XDG_CONFIG_HOME", "")
    base = xdg if xdg.startswith("/") else os.path.join(home_dir, ".config")
    return os.path.join(base, APP_DIR_NAME)


def discovery_file_path(options: DiscoveryOptions) -> str:
    data_dir = options.data_dir if options.data_dir is not None else resolve_data_dir(options.environment())
    return os.path.join(data_dir, DISCOVERY_FILE_NAME)


def app_not_running_error(detail: str) -> KeyholdUnavailable:
    return KeyholdUnavailable(f"The Keyhold app is not running: {detail}. Start the Keyhold app, or run `npx keyhold serve` in a terminal.")


def describe_lookup(options: DiscoveryOptions) -> str:
    if options.url is not None or options.token is not None:
        return "the `url` and `token` options"
    return f"{ENV_BRIDGE_URL}/{ENV_BRIDGE_TOKEN}, then {discovery_file_path(options)}"


def discover_bridge(options: DiscoveryOptions) -> BridgeEndpoint:
    """The app's endpoint, or ``KeyholdUnavailable`` (not running) / ``KeyholdInvalidRequest`` (bad configuration)."""
    env = options.environment()
    pair = _explicit_pair(options.url, options.token, "the `url` option", "the `token` option")
    if pair is not None:
        return BridgeEndpoint(pair[0], pair[1], EndpointSource("options"))
    pair = _explicit_pair(env.get(ENV_BRIDGE_URL), env.get(ENV_BRIDGE_TOKEN), ENV_BRIDGE_URL, ENV_BRIDGE_TOKEN)
    if pair is not None:
        return BridgeEndpoint(pair[0], pair[1], EndpointSource("env"))
    return _read_discovery_file(discovery_file_path(options), options.data_dir is None)


def _explicit_pair(url: str | None, token: str | None, url_name: str, token_name: str) -> tuple[str, str] | None:
    has_url = bool(url)
    has_token = bool(token)
    if not has_url and not has_token:
        return None
    if not has_url or not has_token:
        given, missing = (url_name, token_name) if has_url else (token_name, url_name)
        raise KeyholdInvalidRequest(
            f"{given} is set but {missing} is not: set both, or neither to let the bridge read {DISCOVERY_FILE_NAME} from the Keyhold data directory."
        )
    assert url is not None
    assert token is not None
    probe = {"url": url, "token": token, "pid": 1, "version": ""}
    problem = discovery_file(probe)
    if problem is not None and problem.startswith("url"):
        raise KeyholdInvalidRequest(f"{url_name} must be a loopback WebSocket URL such as ws://127.0.0.1:41234 ({problem}).")
    if string(min_len=32, max_len=256)(token) is not None:
        raise KeyholdInvalidRequest(f"{token_name} does not look like a Keyhold bridge token (32-256 characters).")
    return url, token


def check_ownership(path: str, what: str, uid: int | None = None) -> None:
    """Refuses ``path`` unless it belongs to ``uid`` (default: the current user) and is not group/other-writable (POSIX only)."""
    if not hasattr(os, "getuid"):
        return
    info = os.stat(path)
    uid = os.getuid() if uid is None else uid
    if info.st_uid != uid:
        raise KeyholdInvalidRequest(
            f"Refusing the Keyhold {what} {path}: it belongs to uid {info.st_uid}, not to you (uid {uid}), so another user "
            f"could point this server at a fake app. Fix: `chown $(id -u) {path}`, or set {ENV_HOME} to a directory of yours."
        )
    if info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise KeyholdInvalidRequest(
            f"Refusing the Keyhold {what} {path}: it is writable by group or others (mode {stat.S_IMODE(info.st_mode):o}), so "
            f"another user could point this server at a fake app. Fix: `chmod go-w {path}`."
        )


def _read_discovery_file(path: str, data_dir_from_env: bool) -> BridgeEndpoint:
    not_set = f"{ENV_BRIDGE_URL} and {ENV_BRIDGE_TOKEN} are not set"
    directory = os.path.dirname(path) or "."
    try:
        check_ownership(directory, "data directory")
        check_ownership(path, "discovery file")
        with open(path, encoding="utf-8") as handle:
            text = handle.read()
    except (FileNotFoundError, NotADirectoryError):
        hint = f"; if the app uses another data directory, set {ENV_HOME} to it" if data_dir_from_env else ""
        raise app_not_running_error(f"found no {path}, and {not_set}{hint}") from None
    except OSError as error:
        raise KeyholdUnavailable(f"Could not read {path}: {error.strerror or 'unknown error'}. Check its permissions.") from None
    try:
        data: object = json.loads(text)
    except ValueError:
        # json's message quotes the input, which holds the token: keep it out.
        raise _malformed_file(path, "not valid JSON") from None
    problem = discovery_file(data)
    if problem is not None:
        raise _malformed_file(path, problem)
    assert isinstance(data, dict)
    pid = int(data["pid"])
    if not is_process_alive(pid):
        raise app_not_running_error(f"{path} is left over from pid {pid}, which has exited, and {not_set}")
    return BridgeEndpoint(data["url"], data["token"], EndpointSource("file", path, pid, data["version"]))


def _malformed_file(path: str, problem: str) -> KeyholdUnavailable:
    return KeyholdUnavailable(f"{path} is not a valid Keyhold discovery file ({problem}). Restart the Keyhold app to rewrite it.")


def is_process_alive(pid: int) -> bool:
    """True unless the OS says the pid does not exist (a permission error means it exists)."""
    if sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
