# The api image: one site in single-site mode (see manifests/ and, later, the operator).
# Not built in this repository's CI (no container engine there); build it with `docker build .`.
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY api api
COPY operator operator
RUN npm run build

FROM node:20-bookworm-slim
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
# The embedded PostgreSQL binaries are only for the local platform; a pod talks to its own database.
RUN npm ci --omit=dev --omit=optional --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
USER 10001
EXPOSE 8080
CMD ["node", "dist/api/main.js"]
