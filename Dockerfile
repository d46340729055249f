# One image for every role; SERVICES chooses what a container runs (api, catalog, search, booking,
# waiting-room, indexer, or all). It runs the compiled build (`npm run build`: dist/, JavaScript with
# source maps, actor workers included) on Node 24 LTS with the production dependencies only: no
# TypeScript loader, no compiler, no dev tools in the image. Checked offline by
# test/integration/deployment/dockerfile.test.ts.

# The production dependencies, in a stage of their own (cached until package-lock.json changes).
FROM node:24-bookworm-slim AS dependencies
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# The build: every dependency (tsc, esbuild, tsx), then dist/ with the migrations and the web UI.
FROM node:24-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npm run build

FROM node:24-bookworm-slim
ENV NODE_ENV=production \
    PORT=3000
WORKDIR /app
# Owned by root, read-only to the user the node runs as: the process writes nothing to its image.
COPY package.json ./
COPY --from=dependencies /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
USER node
EXPOSE 3000
# Gateway nodes answer on PORT; other roles set HEALTH_PORT (see docker-compose.yml).
HEALTHCHECK --interval=10s --timeout=3s --start-period=40s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.HEALTH_PORT || process.env.PORT) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
# As `npm run start:prod`, without npm in between (SIGTERM reaches the node itself).
CMD ["node", "--enable-source-maps", "dist/main.js"]
