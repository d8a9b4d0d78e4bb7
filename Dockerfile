# kafka-init as an init container image.
#   docker build -t kafka-init .
#   docker run --rm -e KAFKA_BOOTSTRAP_SERVERS=kafka:29092 \
#     -v "$PWD/config:/app/config:ro" -e CONFIG_FILE=/app/config/default.yaml kafka-init

FROM rust:1.95-bookworm AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends cmake g++ make pkg-config libssl-dev zlib1g-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cargo build --release --locked -p kafka-init-bin \
 && strip target/release/kafka-init

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends libssl3 zlib1g ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --no-create-home kafka-init
COPY --from=build /src/target/release/kafka-init /usr/local/bin/kafka-init
COPY config/default.yaml /app/config/simulation.yaml
USER 10001
ENV CONFIG_FILE=/app/config/simulation.yaml
ENTRYPOINT ["/usr/local/bin/kafka-init"]
