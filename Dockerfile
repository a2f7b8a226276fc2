# The Nudge image: one `nudge` binary for every process (engine, dispatch, serve, migrate, run),
# with the sample rules/ and connectors/ as the baseline (scenario versions deployed later live
# in PostgreSQL). deploy/kubernetes runs it; build with
#   docker build -t registry.example.com/nudge:1.0.0 .
#
# Build stage: Swift on Debian bookworm, librdkafka 2.8 built from Debian trixie's source by the
# same script the local install uses (bookworm's 2.0.2 is too old), the Swift runtime linked in
# statically so the runtime image needs no toolchain.
FROM swift:6.3-bookworm AS build
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        pkg-config build-essential dpkg-dev ca-certificates libhiredis-dev \
        libssl-dev zlib1g-dev libzstd-dev liblz4-dev libsasl2-dev \
    && rm -rf /var/lib/apt/lists/*
COPY scripts/install-librdkafka.sh /tmp/install-librdkafka.sh
RUN bash /tmp/install-librdkafka.sh
WORKDIR /src
# Package.swift declares the test targets too, so their folders come along (see .dockerignore).
COPY Package.swift ./
COPY Sources ./Sources
COPY Tests ./Tests
ENV PKG_CONFIG_PATH=/usr/local/lib/pkgconfig
RUN swift build -c release --static-swift-stdlib --product nudge \
    && install -D "$(swift build -c release --show-bin-path)/nudge" /out/nudge

# Runtime: Debian bookworm with the C libraries Nudge links (hiredis 0.14, librdkafka from the
# build stage, OpenSSL, compression, SASL) and tzdata (quiet hours and waits use IANA zones).
FROM debian:bookworm-slim
RUN apt-get update -qq \
    && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        ca-certificates tzdata libhiredis0.14 libssl3 zlib1g libzstd1 liblz4-1 libsasl2-2 \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --gid 10001 nudge && useradd --uid 10001 --gid nudge --no-create-home nudge
COPY --from=build /usr/local/lib/librdkafka.so.1 /usr/local/lib/
RUN ldconfig
WORKDIR /app
COPY --from=build /out/nudge /app/nudge
COPY rules /app/rules
COPY connectors /app/connectors
COPY deploy/nudge.yaml /etc/nudge/nudge.yaml
USER 10001:10001
EXPOSE 8080
ENTRYPOINT ["/app/nudge"]
CMD ["run", "--config", "/etc/nudge/nudge.yaml"]
