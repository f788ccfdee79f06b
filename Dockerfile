# syntax=docker/dockerfile:1
#
# The `canopy` binary in a small Debian image. The entrypoint is `canopy`, so the command picks
# the subcommand: `serve` (default), `migrate up`, `create-admin …`, `schema`.
#
#     docker build -t canopy .
#     docker run --rm -p 8080:8080 -e CANOPY_JWT_SECRET=… canopy serve

FROM rust:1.95-bookworm AS builder
WORKDIR /src

# Only what the build needs (keeps target/, .git and local databases out of the build).
COPY Cargo.toml Cargo.lock ./
COPY api api
COPY entity entity
COPY migration migration
COPY tests tests

RUN --mount=type=cache,target=/usr/local/cargo/registry \
    --mount=type=cache,target=/usr/local/cargo/git \
    --mount=type=cache,target=/src/target \
    cargo build --release --locked --bin canopy \
    && install -m 0755 target/release/canopy /usr/local/bin/canopy

FROM debian:bookworm-slim

RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system --gid 10001 canopy \
    && useradd --system --uid 10001 --gid canopy --home-dir /var/lib/canopy --create-home \
       --shell /usr/sbin/nologin canopy

COPY --from=builder /usr/local/bin/canopy /usr/local/bin/canopy

USER canopy:canopy
# The default SQLite database (sqlite://canopy.db) is created here when no
# CANOPY_DATABASE_URL is given.
WORKDIR /var/lib/canopy

ENV CANOPY_BIND=0.0.0.0:8080
EXPOSE 8080

ENTRYPOINT ["canopy"]
CMD ["serve"]
