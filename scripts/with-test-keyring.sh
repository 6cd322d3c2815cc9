#!/usr/bin/env bash
# Runs a command inside a new D-Bus session with a fresh, unlocked gnome-keyring
# whose data lives in a temp XDG_DATA_HOME, so tests use a real Secret Service
# without touching anybody's own keyring. Used by `npm test` and `.ci/run`.
# The keyring daemon and its files are removed when the command ends.
set -euo pipefail
if [ "${KEYHOLD_TEST_KEYRING:-}" = "1" ]; then exec "$@"; fi
for tool in dbus-run-session dbus-send gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-test-keyring: '$tool' is missing. On Debian/Ubuntu: sudo apt-get install dbus gnome-keyring" >&2
    exit 2
  fi
done
scratch=$(mktemp -d -t keyhold-keyring.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" KEYHOLD_TEST_KEYRING=1
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
# Not exec: the EXIT trap must run afterwards.
status=0
dbus-run-session -- bash -c '
  # A non-empty password, or gnome-keyring leaves no usable collection.
  # --foreground keeps the daemon our child, so it ends with the command instead of lingering.
  printf "keyhold-test-keyring" | gnome-keyring-daemon --foreground --unlock --components=secrets >/dev/null 2>&1 &
  daemon=$!
  for _ in $(seq 200); do
    dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
      org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true" && break
    sleep 0.05
  done
  status=0
  "$@" || status=$?
  kill "$daemon" 2>/dev/null || true
  exit "$status"' keyring-session "$@" || status=$?
exit "$status"
