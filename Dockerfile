# hashbell: the bot (all roles by default; ROLES or `workers/<role>.ts` for one). Configuration
# from the environment (.env.example); REDIS_URL is required here (no private Redis in a container).
FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY package.json package-lock.json ./
# tsx runs the TypeScript directly (no build step), so the runtime dependencies are all we need.
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY config ./config
COPY src ./src
COPY workers ./workers
COPY bin ./bin
COPY data ./data
COPY tsconfig.json ./
USER node
# 9464: /livez, /readyz, /metrics (bind HTTP_HOST=0.0.0.0 to reach it from outside the container).
# 8443: Telegram webhook listener (TELEGRAM_WEBHOOK_PORT), only with TELEGRAM_WEBHOOK_URL.
EXPOSE 9464 8443
# Liveness, not readiness: the first start syncs ~14,000 blocks (about 4 minutes) and a chat
# platform may be down for hours; neither is a reason to call the container unhealthy and have
# it restarted. /readyz (503 until synced and connected, with the reason) is for traffic routing
# and Prometheus alerts (hashbell_ready); /livez fails only when the process stops answering.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD node -e "fetch('http://127.0.0.1:'+(process.env.HTTP_PORT||9464)+'/livez').then(r=>process.exit(r.ok?0:1),()=>process.exit(1))"
# node itself, no npm/npx wrapper: SIGTERM from `docker stop` reaches the app, which drains within
# 10 s (give it `stop_grace_period: 30s`). Run with an init (`docker run --init`, compose
# `init: true`) so signals and orphans are handled as on any host.
CMD ["node", "--import", "tsx", "workers/all.ts"]
