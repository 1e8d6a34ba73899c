# syntax=docker/dockerfile:1
# orgbridge: multi-stage build, non-root runtime, health check on /healthz.

# 1. Production dependencies only.
FROM node:20-bookworm-slim AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

# 2. Full install to type-check the sources; nothing from here ships but the verdict.
FROM node:20-bookworm-slim AS check
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json vitest.config.ts ./
COPY src ./src
COPY migrations ./migrations
COPY test ./test
RUN npx tsc --noEmit -p . && touch /app/.typechecked

# 3. Runtime: the TypeScript sources run through tsx's loader (the same code as `npm start`).
FROM node:20-bookworm-slim
ENV NODE_ENV=production \
    PORT=8080 \
    HOST=0.0.0.0 \
    DATA_DIR=/var/lib/orgbridge
WORKDIR /app
COPY --from=check /app/.typechecked /tmp/.typechecked
COPY --from=deps /app/node_modules ./node_modules
COPY package.json ./
COPY bin ./bin
COPY config ./config
COPY migrations ./migrations
COPY src ./src
RUN mkdir -p /var/lib/orgbridge && chown node:node /var/lib/orgbridge
USER node
EXPOSE 8080
VOLUME ["/var/lib/orgbridge"]
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.PORT||8080)+'/healthz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
STOPSIGNAL SIGTERM
CMD ["node", "--import", "tsx", "src/main.ts"]
