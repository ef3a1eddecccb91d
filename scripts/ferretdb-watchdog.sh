#!/usr/bin/env bash
# Runs a database server ("$@": FerretDB, or PostgreSQL's `postgres`) for a parent process that
# holds our stdin open, and stops it when:
#  - the parent closes stdin, which the kernel does however the parent ends, even by SIGKILL,
#    so no orphaned server keeps its port, socket or data files;
#  - we get SIGTERM or SIGINT (the parent's orderly stop).
# WATCHDOG_SIGNAL names the signal the server is stopped with (default TERM; PostgreSQL wants
# INT, its "fast" shutdown, since TERM waits for every client to disconnect).
# Exits with the server's status if it ends by itself (e.g. bad flags), so the parent sees it.
# WATCHDOG_PIDFILE, when set, receives the server's pid: should this watchdog be killed outright
# (SIGKILL, no trap runs), its parent finds the orphaned server there and stops it before a restart.
# src/db/postgres.ts runs this file's text (`bash -c 'eval "$PCG_WATCHDOG"'`) as PostgreSQL's unprivileged user.
"$@" </dev/null &
pid=$!
if [ -n "${WATCHDOG_PIDFILE:-}" ]; then echo "$pid" >"$WATCHDOG_PIDFILE"; fi
trap 'kill -s "${WATCHDOG_SIGNAL:-TERM}" "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
trap 'exit 0' TERM INT
# Polled every 0.2 s (bash builtins only, no process started), so that the parent's supervisor
# learns of the server's death within that, not a second later.
while kill -0 "$pid" 2>/dev/null; do
  read -r -t 0.2 _
  rc=$?
  # 0: a line (ignored); >128: the timeout; anything else: end of input, the parent is gone.
  if [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; then exit 0; fi
done
trap - EXIT
wait "$pid"
