# syntax=docker/dockerfile:1.7@sha256:a57df69d0ea827fb7266491f2813635de6f17269be881f696fbfdf2d83dda33e
#
# TrailLoop: one distroless, non-root image for `docker compose` and ECS Fargate.
#
#   docker build -t trailloop:dev .
#   docker run --rm -p 8080:8080 trailloop:dev            # embedded mode (Andorra sample)
#   docker run --rm -p 8080:8080 -p 127.0.0.1:9090:9090 trailloop:dev   # and /metrics on 9090
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
#   runtime  gcr.io/distroless/cc-debian12, user nonroot (65532), /app/trailloop + config +
#            data + the RDS CA bundle (/app/certs/rds-global-bundle.pem)
#
# Pinning: every base image (and the Dockerfile frontend in the syntax line) is pinned by
# tag AND digest (tag@sha256:digest): the tag says what it is, the digest is what is
# pulled, so a re-pushed tag cannot change the build. The digests were taken from public,
# digest-pinned references of these exact tags (Renovate-maintained Dockerfiles and
# others, each digest seen in several independent repositories), collected on
# 2026-12-03; they were NOT checked against the registries from the machine that wrote
# them (it had no registry access). Verify and refresh them with registry access, e.g.
#   docker buildx imagetools inspect rust:1.95.0-bookworm --format '{{json .Manifest.Digest}}'
#   docker buildx imagetools inspect node:20.20.2-bookworm-slim --format '{{json .Manifest.Digest}}'
#   crane digest node:20.20.2-bookworm-slim
#   crane digest gcr.io/distroless/cc-debian12:nonroot
#   crane digest docker/dockerfile:1.7
# and write the index (multi-platform) digest after the tag. A digest that the registry
# no longer serves fails the build at its FROM line; a Renovate `docker` manager (or
# Dependabot) keeps tag and digest current. See ecs/README.md, "Image pinning".

# ---------------------------------------------------------------------------------------
FROM node:20.20.2-bookworm-slim@sha256:2cf067cfed83d5ea958367df9f966191a942351a2df77d6f0193e162b5febfc0 AS web
WORKDIR /build/web
COPY web/package.json web/package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# ---------------------------------------------------------------------------------------
FROM rust:1.95.0-bookworm@sha256:6258907abe69656e41cd992e0b705cdcfabcbbe3db374f92ed2d47121282d4a1 AS chef
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
FROM gcr.io/distroless/cc-debian12:nonroot@sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f AS runtime

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
      org.opencontainers.image.base.digest="sha256:9dac0a79194e45a7da0158a9c6da57b217585af0786db3845d1f0ec1a0dd182f" \
      trailloop.sample-data.attribution="Map data (c) OpenStreetMap contributors, ODbL 1.0, https://www.openstreetmap.org/copyright; see /app/data/README.md"

WORKDIR /app
COPY --from=builder --chown=0:0 /out/trailloop /app/trailloop
COPY --chown=0:0 config/ /app/config/
COPY --chown=0:0 data/andorra.osm.pbf data/N42E001.hgt.zip data/README.md /app/data/
# (root-owned: the service user can read, not change, its binary, configuration and data)

# The Amazon RDS CA bundle (root CAs of every commercial Region), which the service's
# rustls client trusts for the database (TRAILLOOP__DATABASE__CA_FILE, sslmode=require,
# rds.force_ssl=1). Fetched at build time and checked against its SHA-256: a changed
# bundle fails the build instead of silently changing what the service trusts.
# The checksum is that of the bundle as published since mid-2025 (108 certificates,
# 165,408 bytes). It was not downloaded from the URL by the machine that wrote this line
# (no internet there): it was computed (2026-12-03) from the copy AWS Labs ship in the
# PyPI wheel awslabs-mysql-mcp-server 1.1.3 (awslabs/mysql_mcp_server/connection/
# rds_global_bundle.pem, which that package checks against the same pin), and it equals
# the pin that several public Dockerfiles and deployment docs record for this URL. When AWS publishes a
# new bundle (CA rotation, new Region) the build fails here; then refresh it with
#   curl -fsSL https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem | sha256sum
# after checking the new certificates, and update ecs/README.md ("RDS CA bundle").
# checkov:skip=CKV_DOCKER_4: ADD is used only for this remote file, pinned by --checksum (COPY cannot fetch URLs; distroless has no curl)
ADD --chown=0:0 --chmod=0444 \
    --checksum=sha256:e5bb2084ccf45087bda1c9bffdea0eb15ee67f0b91646106e466714f9de3c7e3 \
    https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem /app/certs/rds-global-bundle.pem

# Settings: config/default.toml, found relative to the working directory (/app), then
# TRAILLOOP__SECTION__KEY environment variables given at run time.
# /metrics is served on a port of its own, 9090, and answers 404 on the API's port
# (8080): publishing or load-balancing 8080 does not expose the metrics. A scraper
# reaches 9090 beside the container (same task or host); 0 puts /metrics back on 8080.
ENV TRAILLOOP__SERVER__METRICS_PORT=9090

# The root filesystem is read-only in production: /tmp is the one writable path. As a
# VOLUME, ECS Fargate's bind mount there takes the image's mode (1777, writable by 65532).
VOLUME ["/tmp"]

USER 65532:65532
# 8080: the API (and the health checks); 9090: /metrics alone.
EXPOSE 8080 9090
STOPSIGNAL SIGTERM

# No shell or curl in distroless: the binary checks itself (GET /healthz on $PORT).
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["/app/trailloop", "healthcheck"]

ENTRYPOINT ["/app/trailloop"]
CMD ["serve"]
