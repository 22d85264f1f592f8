# syntax=docker/dockerfile:1.7
#
# TrailLoop: one distroless, non-root image for `docker compose` and ECS Fargate.
#
#   docker build -t trailloop:dev .
#   docker run --rm -p 8080:8080 trailloop:dev            # embedded mode (Andorra sample)
#   docker run --rm trailloop:dev migrate                  # with TRAILLOOP__DATABASE__URL set
#
# Stages:
#   web      Node.js: the map page's Leaflet from the npm registry, as web/package-lock.json
#            pins it (build.rs embeds it; with it in place build.rs needs no npm)
#   chef     Rust toolchain + cargo-chef
#   planner  reduces the workspace to a dependency "recipe" (manifests, lockfile, stub targets)
#   builder  builds the dependencies from the recipe (cached layer: it only changes when
#            Cargo.toml/Cargo.lock change), then the workspace itself, then checks that the
#            binary links only against what the distroless cc image ships (glibc, libgcc)
#   runtime  gcr.io/distroless/cc-debian12, user nonroot (65532), /app/trailloop + config + data
#
# Pinning: the base images are pinned by tag. Pin them by digest as well when building in
# CI with registry access, e.g.
#   docker buildx imagetools inspect gcr.io/distroless/cc-debian12:nonroot
# and write FROM gcr.io/distroless/cc-debian12:nonroot@sha256:<digest> (same for rust).

ARG RUST_IMAGE=rust:1.95.0-bookworm
ARG NODE_IMAGE=node:20.19-bookworm-slim
ARG RUNTIME_IMAGE=gcr.io/distroless/cc-debian12:nonroot

# ---------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS web
WORKDIR /build/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------
FROM ${RUST_IMAGE} AS chef
ARG CARGO_CHEF_VERSION=0.1.78
ENV CARGO_TERM_COLOR=never \
    CARGO_INCREMENTAL=0
RUN cargo install cargo-chef --locked --version "${CARGO_CHEF_VERSION}"
WORKDIR /build

# ---------------------------------------------------------------------------------------
FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

# ---------------------------------------------------------------------------------------
FROM chef AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
# Dependencies only: this layer is reused until a manifest or the lockfile changes.
# The map page's vendored Leaflet first: build.rs finds it in place.
COPY web/package.json web/package-lock.json web/
COPY --from=web /build/web/node_modules web/node_modules
COPY --from=planner /build/recipe.json recipe.json
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo chef cook --release --locked --package trailloop --recipe-path recipe.json

# The workspace itself.
COPY . .
RUN --mount=type=cache,target=/usr/local/cargo/registry,sharing=locked \
    cargo build --release --locked --package trailloop --bin trailloop \
 && install -D -m 0755 target/release/trailloop /out/trailloop

# The runtime image has glibc and libgcc_s and nothing else a Rust binary could want
# (no OpenSSL, no libpq): refuse a binary that needs more.
RUN needed="$(readelf -d /out/trailloop | sed -n 's/.*Shared library: \[\(.*\)\]/\1/p' | sort)" \
 && echo "trailloop links: ${needed//$'\n'/ }" \
 && unexpected="$(grep -Ev '^(libc|libm|libgcc_s|libpthread|libdl|librt|ld-linux-x86-64|ld-linux-aarch64)\.so(\.[0-9]+)*$' <<<"${needed}" || true)" \
 && if [ -n "${unexpected}" ]; then echo "trailloop needs libraries the distroless cc image lacks: ${unexpected}" >&2; exit 1; fi

# ---------------------------------------------------------------------------------------
FROM ${RUNTIME_IMAGE} AS runtime

ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
LABEL org.opencontainers.image.title="trailloop" \
      org.opencontainers.image.description="Loop-hike planning service: closed trail loops of a target length from trailheads within driving range" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.licenses="MIT OR Apache-2.0" \
      org.opencontainers.image.base.name="gcr.io/distroless/cc-debian12:nonroot" \
      trailloop.sample-data.attribution="Map data (c) OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright; see /app/data/README.md"

WORKDIR /app
COPY --from=builder --chown=0:0 /out/trailloop /app/trailloop
COPY --chown=0:0 config/ /app/config/
COPY --chown=0:0 data/andorra.osm.pbf data/N42E001.hgt.zip data/README.md /app/data/
# (root-owned: the service user can read, not change, its binary, configuration and data)

# Settings: config/default.toml, found relative to the working directory (/app), then
# TRAILLOOP__SECTION__KEY environment variables given at run time.

# The root filesystem is read-only in production: /tmp is the one writable path. As a
# VOLUME, ECS Fargate's bind mount there takes the image's mode (1777, writable by 65532).
VOLUME ["/tmp"]

USER 65532:65532
EXPOSE 8080
STOPSIGNAL SIGTERM

# No shell or curl in distroless: the binary checks itself (GET /healthz on $PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/trailloop", "healthcheck"]

ENTRYPOINT ["/app/trailloop"]
CMD ["serve"]
