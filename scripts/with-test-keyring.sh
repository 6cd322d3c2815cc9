#!/usr/bin/env bash
# Runs a command inside a new D-Bus session with a fresh, unlocked gnome-keyring
# whose data lives in a temp XDG_DATA_HOME, so tests use a real Secret Service
# without touching anybody's own keyring. Used by `npm test` and `.ci/run`.
set -euo pipefail
if [ "${KEYHOLD_TEST_KEYRING:-}" = "1" ]; then exec "$@"; fi
for tool in dbus-run-session gnome-keyring-daemon; do
  if ! command -v "$tool" >/dev/null 2>&1; then
    echo "with-test-keyring: '$tool' is missing. On Debian/Ubuntu: sudo apt-get install dbus gnome-keyring" >&2
    exit 2
  fi
done
scratch=$(mktemp -d -t keyhold-keyring.XXXXXX)
trap 'rm -rf "$scratch"' EXIT
export XDG_DATA_HOME="$scratch/data" XDG_RUNTIME_DIR="$scratch/run" KEYHOLD_TEST_KEYRING=1
mkdir -p "$XDG_DATA_HOME" "$XDG_RUNTIME_DIR" && chmod 700 "$XDG_RUNTIME_DIR"
exec dbus-run-session -- bash -c '
  # gnome-keyring needs a non-empty password, or it leaves no usable collection.
  printf "keyhold-test-keyring" | gnome-keyring-daemon --unlock --components=secrets >/dev/null
  exec "$@"' keyring-session "$@"
