"""Finding the app: explicit pairs, the environment, bridge.json, a dead pid,
and the data-dir ownership check (a planted bridge.json is refused)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from keyhold_bridge import KeyholdInvalidRequest, KeyholdUnavailable
from keyhold_bridge.discovery import DiscoveryOptions, check_ownership, discover_bridge, resolve_data_dir

TOKEN = "k" * 43


def write_discovery(home: Path, **overrides: object) -> Path:
    path = home / "bridge.json"
    path.write_text(json.dumps({"url": "ws://127.0.0.1:41234", "token": TOKEN, "pid": os.getpid(), "version": "1.0", **overrides}))
    path.chmod(0o600)
    return path


@pytest.fixture
def home(tmp_path: Path) -> Path:
    directory = tmp_path / "home"
    directory.mkdir(mode=0o700)
    return directory


def test_options_win_over_the_environment_and_the_file(home: Path) -> None:
    write_discovery(home)
    env = {"KEYHOLD_BRIDGE_URL": "ws://127.0.0.1:2", "KEYHOLD_BRIDGE_TOKEN": TOKEN, "KEYHOLD_HOME": str(home)}
    assert discover_bridge(DiscoveryOptions(url="ws://127.0.0.1:1", token=TOKEN, env=env)).url == "ws://127.0.0.1:1"
    assert discover_bridge(DiscoveryOptions(env=env)).source.kind == "env"
    found = discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))
    assert (found.url, found.source.kind, found.source.app_version) == ("ws://127.0.0.1:41234", "file", "1.0")
    assert TOKEN not in repr(found)


def test_half_a_pair_is_a_configuration_error() -> None:
    with pytest.raises(KeyholdInvalidRequest, match="KEYHOLD_BRIDGE_URL is set but KEYHOLD_BRIDGE_TOKEN is not"):
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_BRIDGE_URL": "ws://127.0.0.1:1"}))


def test_a_non_loopback_url_is_refused() -> None:
    with pytest.raises(KeyholdInvalidRequest, match="loopback"):
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_BRIDGE_URL": "ws://10.0.0.2:1", "KEYHOLD_BRIDGE_TOKEN": TOKEN}))


def test_no_file_means_not_running_with_the_path(home: Path) -> None:
    with pytest.raises(KeyholdUnavailable) as raised:
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))
    assert "not running" in raised.value.message
    assert str(home / "bridge.json") in raised.value.message


def test_a_file_left_by_a_dead_pid_means_not_running(home: Path) -> None:
    write_discovery(home, pid=2**22 + 12345)
    with pytest.raises(KeyholdUnavailable, match="has exited"):
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))


def test_a_malformed_file_never_quotes_the_token(home: Path) -> None:
    (home / "bridge.json").write_text('{"token": "' + TOKEN + '", oops')
    with pytest.raises(KeyholdUnavailable) as raised:
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))
    assert TOKEN not in str(raised.value)


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_planted_discovery_file_in_a_group_writable_data_dir_is_refused(home: Path) -> None:
    write_discovery(home)
    home.chmod(0o770)
    with pytest.raises(KeyholdInvalidRequest) as raised:
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))
    assert f"chmod go-w {home}" in raised.value.message


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_planted_discovery_file_writable_by_others_is_refused(home: Path) -> None:
    path = write_discovery(home)
    path.chmod(0o666)
    with pytest.raises(KeyholdInvalidRequest, match="writable by group or others"):
        discover_bridge(DiscoveryOptions(env={"KEYHOLD_HOME": str(home)}))


@pytest.mark.skipif(not hasattr(os, "getuid"), reason="POSIX ownership")
def test_planted_discovery_file_in_a_data_dir_owned_by_another_user_is_refused(home: Path) -> None:
    # The directory belongs to the test's user; checked as if we were another one.
    other = os.getuid() + 1
    with pytest.raises(KeyholdInvalidRequest) as raised:
        check_ownership(str(home), "data directory", uid=other)
    assert f"belongs to uid {os.getuid()}, not to you (uid {other})" in raised.value.message
    assert "KEYHOLD_HOME" in raised.value.message


def test_platform_data_dirs() -> None:
    assert resolve_data_dir({"KEYHOLD_HOME": "/x"}) == "/x"
    assert resolve_data_dir({}, "linux", "/home/u") == "/home/u/.config/Keyhold"
    assert resolve_data_dir({"XDG_CONFIG_HOME": "/cfg"}, "linux", "/home/u") == "/cfg/Keyhold"
    assert resolve_data_dir({"XDG_CONFIG_HOME": "relative"}, "linux", "/home/u") == "/home/u/.config/Keyhold"
    assert resolve_data_dir({}, "darwin", "/Users/u") == "/Users/u/Library/Application Support/Keyhold"
