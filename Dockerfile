# syntax=docker/dockerfile:1
#
# workgate — one image for every service. The service is chosen by the command:
#   node dist/apps/<service>/main.js   (gateway, intake, policy, approvals, ledger, exceptions)
#   node dist/apps/ledger/migrate.js   (one-shot database migrations)
#
# Expects in the build context: package.json + package-lock.json (in sync),
# an `npm run build` script that emits dist/apps/<service>/main.js, and the
# top-level workflows/, patterns/ and config/ directories.

ARG NODE_IMAGE=node:20-bookworm-slim

# ---------------------------------------------------------------- build stage
FROM ${NODE_IMAGE} AS build
WORKDIR /app

# Install the full (dev) dependency set first so this layer caches on the lockfile.
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund

# Sources (filtered by .dockerignore), then compile to dist/.
COPY . .
RUN npm run build
RUN test -f dist/apps/gateway/main.js \
 || { echo "npm run build must emit dist/apps/<service>/main.js" >&2; exit 1; }

# -------------------------------------------------------------- runtime stage
FROM ${NODE_IMAGE} AS runtime
ENV NODE_ENV=production
WORKDIR /app

# Production dependencies only.
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund \
 && npm cache clean --force

# Compiled code and runtime data. Files stay root-owned (read-only for the app user).
COPY --from=build /app/dist ./dist
COPY workflows ./workflows
COPY patterns ./patterns
COPY config ./config

# Writable state directory (ledger signing key). Created here and owned by the
# non-root user so a named volume mounted at /app/.data inherits the ownership.
RUN mkdir -p /app/.data && chown node:node /app/.data

# The official node image ships an unprivileged `node` user (uid/gid 1000).
USER node

EXPOSE 3000
CMD ["node", "dist/apps/gateway/main.js"]
