# MICIP collaboration bot: build with `docker build -t micip-collab-bot .`, or use compose.yaml (bot + MongoDB).
# See docs/DEPLOY.md.
#
# Base image, both stages: node:20.20.2-bookworm-slim = Node.js 20.20.2 (the Node version the development and CI
# machines run; package.json engines: >=20.19) on Debian 12 "bookworm", slim variant. Pinned to an exact release:
# change it deliberately, in both FROM lines.

# --- build: every dependency (TypeScript included), compile src/ to dist/ ---
FROM node:20.20.2-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY tsconfig.json tsconfig.build.json ./
COPY src ./src
RUN npm run build

# --- runtime: production dependencies, the compiled app and the files it reads at run time ---
FROM node:20.20.2-bookworm-slim AS runtime
ENV NODE_ENV=production
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm cache clean --force
# What `node dist/main.js` reads from disk: dist/ (the app), rubrics/ (RUBRICS_DIR default, ../rubrics from
# dist/config.js), cards/ (card templates, CARDS_DIR default), web/ (console, Teams tab, web/cards/reflection.json).
# node_modules/adaptivecards and @microsoft/teams-js are served from node_modules.
COPY --from=build /app/dist ./dist
COPY rubrics ./rubrics
COPY cards ./cards
COPY web ./web
# DATA_DIR (./data) for the embedded store when MONGODB_URI is unset; the only folder the app writes to.
RUN mkdir -p /app/data && chown node:node /app/data
# The unprivileged user of the official Node image (uid 1000); app files stay root-owned and read-only to it.
USER node
EXPOSE 3978
# Ready = the HTTP server answers and the store is reachable (/readyz: 200, else 503). No curl in slim images.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:'+(process.env.PORT||3978)+'/readyz').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"]
# node itself as PID 1: the app handles SIGTERM/SIGINT (closes the server and the store) and exits.
CMD ["node", "dist/main.js"]
