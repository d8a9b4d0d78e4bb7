# syntax=docker/dockerfile:1
# kafka-init as an init container image: built in a full Rust image, run
# from debian:bookworm-slim with only the libraries the binary links
# (libssl3, zlib), as an unprivileged user (uid 10001).
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
 && install -D --strip target/release/kafka-init /out/kafka-init

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kafka-init \
 && useradd --system --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin kafka-init
COPY --from=build /out/kafka-init /usr/local/bin/kafka-init
COPY config/default.yaml /app/config/simulation.yaml
USER 10001:10001
ENV CONFIG_FILE=/app/config/simulation.yaml
ENTRYPOINT ["/usr/local/bin/kafka-init"]
CMD ["apply"]
