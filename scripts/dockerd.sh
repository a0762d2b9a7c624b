#!/usr/bin/env bash
# Starts (or stops) local Docker engines for Mariner's docker runtime and its tests: `dockerd.sh start a b`.
# Each engine has its own data root, socket and pid file; no bridge and no iptables (containers use the host's
# loopback addresses), and --dns 127.0.0.1 so nothing resolves names off the machine. The data roots persist
# under /var/lib/mariner-docker so a built image is reused by later runs.
set -euo pipefail
action=${1:?start|stop}
shift
for name in "$@"; do
  root=/var/lib/mariner-docker/$name
  run=/run/mariner-docker/$name
  sock=$run/docker.sock
  case "$action" in
    start)
      if [ -S "$sock" ] && docker -H "unix://$sock" version >/dev/null 2>&1; then echo "engine $name already running"; continue; fi
      mkdir -p "$root/data" "$run/exec"
      # A pid file left by an engine that was killed (not one that runs) is removed.
      if [ -f "$run/dockerd.pid" ] && ! grep -qs "$root/daemon.json" "/proc/$(cat "$run/dockerd.pid")/cmdline"; then rm -f "$run/dockerd.pid"; fi
      rm -f "$sock"
      printf '{"deprecated-key-path": "%s/key.json"}\n' "$root" > "$root/daemon.json"
      setsid dockerd --dns 127.0.0.1 --config-file "$root/daemon.json" --data-root "$root/data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
        -H "unix://$sock" --bridge=none --iptables=false --ip6tables=false --ip-forward=false \
        >"$run/dockerd.log" 2>&1 < /dev/null &
      for _ in $(seq 1 100); do docker -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
      docker -H "unix://$sock" version >/dev/null 2>&1 || { tail -20 "$run/dockerd.log"; exit 1; }
      echo "engine $name: unix://$sock"
      ;;
    stop)
      # Only our engine: the pid must belong to the daemon started with this engine's config file.
      if [ -f "$run/dockerd.pid" ] && grep -qs "$root/daemon.json" "/proc/$(cat "$run/dockerd.pid")/cmdline"; then
        pid=$(cat "$run/dockerd.pid")
        kill "$pid"
        # Until it is gone: a start right after a stop would otherwise find its pid file and fail.
        for _ in $(seq 1 200); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      fi
      ;;
  esac
done
