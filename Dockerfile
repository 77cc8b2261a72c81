# syntax=docker/dockerfile:1
# Node 24 (Active LTS; better-sqlite3 12 supports Node 20-26). Node 20 reached end of life on 2026-04-30.
# Build stage: native build tools for better-sqlite3, TypeScript compile, then drop dev dependencies.
FROM node:24-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the package's own `prepare` build needs the sources, copied below; better-sqlite3
# is compiled explicitly instead.
RUN npm ci --no-audit --no-fund --ignore-scripts && npm rebuild better-sqlite3
COPY tsconfig.json ./
COPY src ./src
COPY streams ./streams
COPY migrations ./migrations
COPY state ./state
COPY bench ./bench
# The bench starts a local PostgreSQL through this helper, compiled with it.
COPY test/helpers/postgres-server.ts ./test/helpers/postgres-server.ts
COPY bin ./bin
RUN npm run build && npm prune --omit=dev --ignore-scripts

# Runtime stage: no compilers, a non-root user, data on a volume.
FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    GONG_DB=/data/gong.db \
    GONG_MEDIA_DIR=/data/media \
    GONG_LOG_FORMAT=json \
    GONG_HEARTBEAT_FILE=/tmp/gong-sync-heartbeat
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data && ln -s /app/bin/gong-sync.js /usr/local/bin/gong-sync
USER node
# The working directory is the volume, writable by the node user: `docker run IMAGE demo` writes /data/demo.db.
WORKDIR /data
VOLUME ["/data"]
# `schedule` touches GONG_HEARTBEAT_FILE every 30 s while its scheduler is alive (also during a long
# sync); stale for 2 minutes = unhealthy. Other commands are one-shot and need no health check.
HEALTHCHECK --interval=60s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "const f=process.env.GONG_HEARTBEAT_FILE;try{process.exit(Date.now()-require('fs').statSync(f).mtimeMs<120000?0:1)}catch{process.exit(1)}"]
ENTRYPOINT ["node", "/app/bin/gong-sync.js"]
CMD ["schedule", "--now"]
