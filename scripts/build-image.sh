#!/usr/bin/env bash
# npm run image:build: the MariaDB image for the docker runtime, built from Debian packages (no registry is
# reachable, so nothing is ever pulled). Does nothing when the engine already has the image.
# Usage: build-image.sh [docker-host …] (default $DOCKER_HOST or the standard socket). Built once, copied to
# the other engines with save | load.
set -euo pipefail
hosts=("$@")
[ ${#hosts[@]} -gt 0 ] || hosts=("${DOCKER_HOST:-unix:///var/run/docker.sock}")
tag=${MARINER_IMAGE:-mariner/mariadb:10.11}
have=""
for h in "${hosts[@]}"; do docker -H "$h" image inspect "$tag" >/dev/null 2>&1 && have=$h && break; done
copy_to_all() {
  for h in "${hosts[@]}"; do
    [ "$h" = "$1" ] && continue
    docker -H "$h" image inspect "$tag" >/dev/null 2>&1 || { docker -H "$1" save "$tag" | docker -H "$h" load >/dev/null; echo "image $tag copied to $h"; }
  done
}
# The endpoints' HAProxy image comes with it (a second, tiny image).
proxy_image() { bash "$(dirname "$0")/build-proxy-image.sh" "${hosts[@]}"; }
if [ -n "$have" ]; then echo "image $tag present on $have"; copy_to_all "$have"; proxy_image; exit 0; fi
host=${hosts[0]}
mirror=$(awk '/^URIs:/ {print $2; exit}' /etc/apt/sources.list.d/debian.sources 2>/dev/null || true)
mirror=${mirror:-$(awk '/^deb / {print $2; exit}' /etc/apt/sources.list 2>/dev/null || true)}
rootfs=$(mktemp -d /var/tmp/mariner-rootfs.XXXXXX)
trap 'rm -rf "$rootfs"' EXIT
echo "building $tag from Debian packages ($mirror) …"
debootstrap --variant=minbase bookworm "$rootfs" "$mirror" >/dev/null
printf '#!/bin/sh\nexit 101\n' > "$rootfs/usr/sbin/policy-rc.d"
chmod +x "$rootfs/usr/sbin/policy-rc.d"
chroot "$rootfs" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends mariadb-server mariadb-client >/dev/null
chroot "$rootfs" apt-get clean
rm -rf "$rootfs/var/lib/apt/lists/"*
mkdir -p "$rootfs/run/mysqld"
tar -C "$rootfs" -c . | docker -H "$host" import --change 'CMD ["/usr/sbin/mariadbd"]' - "$tag" >/dev/null
echo "image $tag built on $host"
copy_to_all "$host"
proxy_image
