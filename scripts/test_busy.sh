#!/bin/sh
# Runs the whole test suite while other processes keep every core busy, as
# on a shared build machine or a loaded CI runner: one spinning shell per
# core (BUSY=N to choose), started here, tracked by pid and stopped by pid
# when the suite ends. Exits with the suite's status.
set -u
n=${BUSY:-$(nproc 2>/dev/null || echo 2)}
pids=""
stop() { for p in $pids; do kill "$p" 2>/dev/null; done; for p in $pids; do wait "$p" 2>/dev/null; done; pids=""; }
trap 'stop' EXIT
trap 'stop; exit 130' INT TERM
i=0
while [ "$i" -lt "$n" ]; do
	sh -c 'while :; do :; done' &
	pids="$pids $!"
	i=$((i + 1))
done
echo "busy: $n spinning processes (pids$pids)"
"$@"
rc=$?
stop
exit $rc
