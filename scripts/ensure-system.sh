#!/usr/bin/env bash
# Installs the Debian packages Mariner needs when they are missing. Usage: ensure-system.sh [server] [browser] [clients] [docker] [image]
set -euo pipefail

need=()
want() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q "install ok installed" || need+=("$1"); }

for group in "$@"; do
  case "$group" in
    server) want mariadb-server; want mariadb-client; want mariadb-backup; want openssl; want haproxy; want galera-4; want socat ;;
    clients) want php-cli; want php-mysql ;;
    browser) want chromium ;;
    docker) want docker.io; want debootstrap; want docker-compose ;;
    image) want haproxy; want openssl ;;
    *) echo "ensure-system: unknown group $group" >&2; exit 2 ;;
  esac
done

[ ${#need[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -ne 0 ]; then
  echo "Mariner needs these Debian packages: ${need[*]}" >&2
  echo "Install them as root: apt-get update && apt-get install -y ${need[*]}" >&2
  exit 1
fi

echo "Installing ${need[*]} …"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq "${need[@]}" >/dev/null
echo "Installed ${need[*]}."
