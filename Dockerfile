# syntax=docker/dockerfile:1
# Build stage: native build tools for better-sqlite3, TypeScript compile, then drop dev dependencies.
FROM node:20-bookworm-slim AS build
RUN apt-get update \
 && apt-get install -y --no-install-recommends python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
COPY streams ./streams
COPY migrations ./migrations
COPY state ./state
COPY bench ./bench
COPY bin ./bin
RUN npm run build && npm prune --omit=dev

# Runtime stage: no compilers, a non-root user, data on a volume.
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    GONG_DB=/data/gong.db \
    GONG_MEDIA_DIR=/data/media \
    GONG_LOG_FORMAT=json
WORKDIR /app
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY --from=build /app/bin ./bin
RUN mkdir -p /data && chown node:node /data
USER node
VOLUME ["/data"]
ENTRYPOINT ["node", "/app/bin/gong-sync.js"]
CMD ["schedule", "--now"]
