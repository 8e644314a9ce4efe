# The nightshift worker image: Node 20, git, and the npm-installed agent CLIs.
FROM node:20-bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends git ca-certificates && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev && npm install --no-save @anthropic-ai/claude-code@2.1.330
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./
ENV PATH="/app/node_modules/.bin:${PATH}"
ENTRYPOINT ["node", "/app/bin/nightshift.js"]
