#!/usr/bin/env bash
# A Docker host that really is apart, for tests and demos: its own network namespace with its own address on a
# private bridge (10.231.0.0/24, made here, no route out), its own dockerd (--dns 127.0.0.1) and data root, reached by the
# console only at tcp://ADDRESS:2376 with TLS client verification. A unix socket inside its run dir is kept for
# this script alone (loading the image from engine "a" without a registry); the console never uses it.
#   remote-host.sh start NAME ADDRESS CERTDIR   (CERTDIR: ca.pem, server-cert.pem, server-key.pem)
#   remote-host.sh stop-engine NAME   (the engine stops, with its containers; the machine stays reachable)
#   remote-host.sh stop NAME          (engine and machine gone: namespace and link removed)
set -euo pipefail
action=${1:?start|stop}
name=${2:?name}
ns=mariner-$name
veth=mrn-$name
bridge=mrn-hosts
root=/var/lib/mariner-docker/$name
run=/run/mariner-docker/$name
sock=$run/docker.sock
tag=${MARINER_IMAGE:-mariner/mariadb:10.11}

ours() { [ -f "$run/dockerd.pid" ] && grep -qs "$root/daemon.json" "/proc/$(cat "$run/dockerd.pid")/cmdline"; }

case "$action" in
  start)
    address=${3:?address}
    certs=${4:?certdir}
    if ! ip link show "$bridge" >/dev/null 2>&1; then
      ip link add "$bridge" type bridge
      ip addr add 10.231.0.1/24 dev "$bridge"
      ip link set "$bridge" up
    fi
    [ -e "/run/netns/$ns" ] || ip netns add "$ns"
    if ! ip link show "$veth" >/dev/null 2>&1; then
      ip link add "$veth" type veth peer name eth0 netns "$ns"
      ip link set "$veth" master "$bridge" up
      nsenter --net="/run/netns/$ns" ip addr add "$address/24" dev eth0
      nsenter --net="/run/netns/$ns" ip link set eth0 up
      nsenter --net="/run/netns/$ns" ip link set lo up
    fi
    if ours; then echo "engine $name already running"; exit 0; fi
    mkdir -p "$root/data" "$run/exec"
    rm -f "$sock" "$run/dockerd.pid"
    printf '{"deprecated-key-path": "%s/key.json"}\n' "$root" > "$root/daemon.json"
    # Servers use the namespace's own network (host mode inside it): no bridge, no iptables, no DNS off the machine.
    setsid nsenter --net="/run/netns/$ns" env DOCKER_SERVICE_PREFER_OFFLINE_IMAGE=1 dockerd --dns 127.0.0.1 \
      --config-file "$root/daemon.json" --data-root "$root/data" --exec-root "$run/exec" --pidfile "$run/dockerd.pid" \
      -H "unix://$sock" -H "tcp://$address:2376" --tlsverify --tlscacert="$certs/ca.pem" \
      --tlscert="$certs/server-cert.pem" --tlskey="$certs/server-key.pem" \
      --bridge=none --iptables=false --ip6tables=false --ip-forward=false \
      >"$run/dockerd.log" 2>&1 < /dev/null &
    for _ in $(seq 1 600); do docker -H "unix://$sock" version >/dev/null 2>&1 && break; sleep 0.1; done
    docker -H "unix://$sock" version >/dev/null 2>&1 || { tail -20 "$run/dockerd.log"; exit 1; }
    # The images (servers, endpoints) from engine "a" (its data root keeps them for later runs): saved and loaded,
    # never pulled.
    for image in "$tag" "${MARINER_PROXY_IMAGE:-mariner/haproxy:local}"; do
      if ! docker -H "unix://$sock" image inspect "$image" >/dev/null 2>&1; then
        docker -H unix:///run/mariner-docker/a/docker.sock save "$image" | docker -H "unix://$sock" load >/dev/null
      fi
    done
    echo "engine $name: tcp://$address:2376 (namespace $ns)"
    ;;
  stop-engine | stop)
    if ours; then
      pid=$(cat "$run/dockerd.pid")
      kill "$pid" 2>/dev/null || true
      for _ in $(seq 1 300); do [ -d "/proc/$pid" ] || break; sleep 0.1; done
      # An engine that outlives 30 s is killed: the namespace must not be removed from under a live one.
      if [ -d "/proc/$pid" ]; then kill -9 "$pid" 2>/dev/null || true; sleep 0.5; fi
    fi
    [ "$action" = stop ] || exit 0
    ip link del "$veth" 2>/dev/null || true
    [ -e "/run/netns/$ns" ] && ip netns del "$ns"
    # The bridge goes with the last host on it.
    if ip link show "$bridge" >/dev/null 2>&1 && [ -z "$(ls "/sys/class/net/$bridge/brif" 2>/dev/null)" ]; then
      ip link del "$bridge"
    fi
    ;;
esac
