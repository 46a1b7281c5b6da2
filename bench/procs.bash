# procs.bash: what the benchmark scripts share about the processes they
# start: PIDS lists them; stop_started ends each (SIGTERM) and reaps it.
# shellcheck shell=bash

PIDS=()

stop_started() {
	local pid

	for pid in "${PIDS[@]}"; do
		kill -TERM "$pid" 2>/dev/null || true
	done
	for pid in "${PIDS[@]}"; do
		wait "$pid" 2>/dev/null || true
	done
}
