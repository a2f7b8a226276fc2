#!/usr/bin/env bash
# Installs librdkafka >= 2.1 into /usr/local, as root, when the one pkg-config finds is older:
# Debian bookworm's 2.0.2 cannot parse the ApiVersions v3 response of current brokers, so 2.8 is
# built from Debian trixie's source package. Used by scripts/install-deps.sh and the Dockerfile.
# Needs build-essential, pkg-config, dpkg-dev and the -dev packages of OpenSSL, zlib, zstd, lz4
# and SASL. Idempotent.
set -euo pipefail

log() { printf '[install] %s\n' "$*"; }

# version_ge A B is true when A >= B.
version_ge() { [ "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" = "$2" ]; }

export PKG_CONFIG_PATH="/usr/local/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"
rdkafka_version="$(pkg-config --modversion rdkafka 2>/dev/null || echo 0)"
if ! version_ge "$rdkafka_version" "2.1.0"; then
    log "librdkafka $rdkafka_version is older than 2.1: building 2.8 from Debian trixie's source package"
    src_list=/etc/apt/sources.list.d/nudge-trixie-src.sources
    if [ ! -f "$src_list" ]; then
        cat >"$src_list" <<'SRC'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: trixie
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SRC
        apt-get update -qq
    fi
    build="$(mktemp -d)"
    (cd "$build" && apt-get source --download-only librdkafka >/dev/null 2>&1)
    tarball="$(ls "$build"/librdkafka_*.orig.tar.* | head -n1)"
    tar -xf "$tarball" -C "$build"
    srcdir="$(find "$build" -maxdepth 1 -mindepth 1 -type d -name 'librdkafka-*' | head -n1)"
    (cd "$srcdir" && ./configure --prefix=/usr/local >"$build/configure.log" 2>&1 \
        && make -j"$(nproc)" libs >"$build/make.log" 2>&1 && make -C src install >/dev/null \
        && make -C src-cpp install >/dev/null) || { log "librdkafka build failed, see $build"; exit 1; }
    ldconfig
    rdkafka_version="$(pkg-config --modversion rdkafka)"
    version_ge "$rdkafka_version" "2.1.0" || { log "librdkafka build failed: found $rdkafka_version"; exit 1; }
    rm -rf "$build"
fi
log "librdkafka $rdkafka_version"
