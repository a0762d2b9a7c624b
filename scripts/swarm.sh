#!/usr/bin/env bash
# A Docker Swarm made of remote-host.sh engines (each its own network namespace and address), for tests and demos:
#   swarm.sh form MANAGER ADDRESS WORKER ADDRESS [WORKER ADDRESS …]   (engines already started by remote-host.sh)
# Each engine leaves any swarm a previous run left it in, the manager inits one on its address and the workers join
# it; all through the engines' own unix sockets, which the console never uses (it talks to the manager over TLS).
# Stopping is remote-host.sh stop NAME for each.
set -euo pipefail
[ "${1:-}" = form ] || { echo "usage: swarm.sh form MANAGER ADDRESS WORKER ADDRESS …" >&2; exit 2; }
shift
sock() { echo "unix:///run/mariner-docker/$1/docker.sock"; }
manager=$1
manager_address=$2
shift 2
for name in "$manager" $(printf '%s\n' "$@" | awk 'NR % 2 == 1'); do
  docker -H "$(sock "$name")" swarm leave --force >/dev/null 2>&1 || true
done
# A 1 s heartbeat: a lost node is given up in seconds rather than 15 (the default period is 5 s).
docker -H "$(sock "$manager")" swarm init --advertise-addr "$manager_address" \
  --listen-addr "$manager_address:2377" --dispatcher-heartbeat 1s >/dev/null
token=$(docker -H "$(sock "$manager")" swarm join-token -q worker)
while [ $# -gt 0 ]; do
  docker -H "$(sock "$1")" swarm join --token "$token" --advertise-addr "$2" --listen-addr "$2:2377" \
    "$manager_address:2377" >/dev/null
  shift 2
done
docker -H "$(sock "$manager")" node ls --format '{{.Hostname}} {{.Status}} {{.Availability}} {{.ManagerStatus}}'
