#!/usr/bin/env bash
# Runs FerretDB ("$@") for a parent process that holds our stdin open, and stops it when:
#  - the parent closes stdin, which the kernel does however the parent ends, even by SIGKILL,
#    so no orphaned FerretDB keeps its port and SQLite files;
#  - we get SIGTERM or SIGINT (the parent's orderly stop).
# Exits with FerretDB's status if FerretDB ends by itself (e.g. bad flags), so the parent sees it.
"$@" </dev/null &
pid=$!
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null' EXIT
trap 'exit 0' TERM INT
while kill -0 "$pid" 2>/dev/null; do
  read -r -t 1 _
  rc=$?
  # 0: a line (ignored); >128: the 1 s timeout; anything else: end of input, the parent is gone.
  if [ "$rc" -ne 0 ] && [ "$rc" -le 128 ]; then exit 0; fi
done
trap - EXIT
wait "$pid"
