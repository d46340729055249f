# One image for every role; SERVICES chooses what a container runs (api, catalog, search, booking,
# waiting-room, indexer, or all). TypeScript runs through tsx (a runtime dependency), as with `npm start`.
FROM node:20-bookworm-slim

ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app

COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

COPY . .
# The web UI (gateway/web/dist), built as `npm start` does: esbuild is a runtime dependency.
RUN node --import tsx gateway/web/build.ts

USER node
EXPOSE 3000
# Gateway nodes answer on PORT; other roles set HEALTH_PORT (see docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || process.env.PORT) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "--import", "tsx", "main.ts"]
