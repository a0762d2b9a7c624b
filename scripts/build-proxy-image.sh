#!/usr/bin/env bash
# The HAProxy image for writer/reader endpoints on the docker runtime: this machine's Debian haproxy binary and
# the shared libraries it links, imported as a tiny image (nothing pulled, no network needed). Does nothing on
# engines that already have it. Usage: build-proxy-image.sh [docker-host …]
set -euo pipefail
hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=("${DOCKER_HOST:-unix:///var/run/docker.sock}")
tag=${MARINER_PROXY_IMAGE:-mariner/haproxy:local}
bin=/usr/sbin/haproxy
rootfs=""
trap '[ -z "$rootfs" ] || rm -rf "$rootfs"' EXIT
for h in "${hosts[@]}"; do
  if docker -H "$h" image inspect "$tag" >/dev/null 2>&1; then echo "image $tag present on $h"; continue; fi
  if [ -z "$rootfs" ]; then
    rootfs=$(mktemp -d /var/tmp/mariner-proxy-rootfs.XXXXXX)
    cp --parents -L "$bin" "$rootfs"
    for lib in $(ldd "$bin" | grep -o '/[^ ]*'); do cp --parents -L "$lib" "$rootfs"; done
    mkdir -p "$rootfs/tmp" "$rootfs/etc"
    echo 'root:x:0:0:root:/root:/bin/false' > "$rootfs/etc/passwd"
  fi
  tar -C "$rootfs" -c . | docker -H "$h" import --change "CMD [\"$bin\", \"-v\"]" - "$tag" >/dev/null
  echo "image $tag built on $h"
done
