# syntax=docker/dockerfile:1
# nats-streaming-server (TypeScript + Rust core) as a container image.
#
#   docker build -t nats-streaming-server-ts .
#   docker run -p 4222:4222 -p 8222:8222 nats-streaming-server-ts
#
# Stage 1 builds the N-API addon with Debian's Rust toolchain (bookworm's
# rustc 1.63, which the crates are kept compatible with) and compiles the
# TypeScript; stage 2 is the slim Node image with only what runs: dist/src and its one-file build dist/bundle,
# bin/, the built .node, the WASM fallback and production node_modules.

ARG NODE_IMAGE=node:20-bookworm

FROM ${NODE_IMAGE} AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends rustc cargo \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY package.json package-lock.json tsconfig.json Cargo.toml Cargo.lock build.rs ./
COPY scripts/ scripts/
COPY native/ native/
COPY wasm/stan_core.wasm wasm/
COPY bin/ bin/
COPY src/ src/
# `npm install` (as the README and CI: the lock file lists only this
# platform's optional packages, which `npm ci` refuses) runs the package's
# prepare script: `napi build` (cargo) for the addon, then tsc. The build
# script only warns when cargo fails (the server would fall back to WASM),
# so check that the addon is there.
RUN npm install --no-audit --no-fund \
 && ls native/stan-core.*.node \
 && node bin/nats-streaming-server.js --version
# Production dependencies alone, without install scripts (prepare needs the dev ones).
RUN mkdir /prod \
 && cp package.json package-lock.json /prod/ \
 && cd /prod \
 && npm install --omit=dev --ignore-scripts --no-audit --no-fund \
 && npm cache clean --force

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /opt/nats-streaming-server
COPY --from=build /prod/node_modules/ node_modules/
COPY --from=build /src/package.json ./
COPY --from=build /src/bin/ bin/
COPY --from=build /src/dist/src/ dist/src/
COPY --from=build /src/dist/bundle/ dist/bundle/
COPY --from=build /src/native/*.node native/
COPY --from=build /src/wasm/stan_core.wasm wasm/
# The FILE store's directory (--dir /data), owned by the unprivileged user.
RUN mkdir -p /data && chown node:node /data
VOLUME ["/data"]
USER node
# Clients, monitoring.
EXPOSE 4222 8222
# Node runs as PID 1 and handles the signals itself: `docker stop` (SIGTERM)
# stops the server gracefully (exit code 143, as the Go server).
ENTRYPOINT ["node", "/opt/nats-streaming-server/bin/nats-streaming-server.js"]
CMD ["-m", "8222"]
