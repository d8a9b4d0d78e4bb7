# syntax=docker/dockerfile:1
# kafka-init as an init container image: built in a full Rust image, run
# from gcr.io/distroless/cc-debian12 (glibc, libgcc, OpenSSL, CA certificates;
# no shell, no package manager) with zlib added, as an unprivileged user
# (uid 10001).
#   docker build -t kafka-init .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=kafka:29092 \
#     -v "$PWD/config:/app/config:ro" -e CONFIG_FILE=/app/config/default.yaml kafka-init
# The default command is `apply`; `plan`, `check` and `wait` work the same way:
#   docker run --rm -v "$PWD/config:/app/config:ro" kafka-init check --config /app/config/default.yaml

ARG RUST_VERSION=1.95
FROM rust:${RUST_VERSION}-bookworm AS build
# librdkafka is built from source by rdkafka-sys (cmake), with OpenSSL for
# TLS and SASL/SCRAM, zlib, and a static libcurl for OAUTHBEARER/OIDC.
RUN apt-get update \
 && apt-get install -y --no-install-recommends g++ make cmake pkg-config libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked -p kafka-init-bin \
 && install -D --strip target/release/kafka-init /out/rootfs/usr/local/bin/kafka-init
# What the runtime base lacks, as files to copy over it: zlib (librdkafka links
# it; distroless has none), and the image's user in /etc/passwd and /etc/group
# (the base has root, nobody and nonroot; the runtime has no shell to add one).
COPY --from=gcr.io/distroless/cc-debian12 /etc/passwd /etc/group /out/base-etc/
RUN multiarch=$(gcc -print-multiarch) \
 && install -D "$(readlink -f "/usr/lib/$multiarch/libz.so.1")" "/out/rootfs/usr/lib/$multiarch/libz.so.1" \
 && mkdir -p /out/rootfs/etc \
 && { cat /out/base-etc/passwd; echo 'kafka-init:x:10001:10001:kafka-init:/nonexistent:/sbin/nologin'; } >/out/rootfs/etc/passwd \
 && { cat /out/base-etc/group; echo 'kafka-init:x:10001:'; } >/out/rootfs/etc/group

FROM gcr.io/distroless/cc-debian12
COPY --from=build /out/rootfs/ /
COPY config/default.yaml /app/config/simulation.yaml
USER 10001:10001
ENV CONFIG_FILE=/app/config/simulation.yaml
ENTRYPOINT ["/usr/local/bin/kafka-init"]
CMD ["apply"]
