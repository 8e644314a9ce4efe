# The nightshift worker image: Node 20, all six agent CLIs and bubblewrap, installed by the script setup.sh runs too.
FROM node:20-bookworm-slim
WORKDIR /app

# The npm CLIs go to /opt/agents at package.json's pins (the app's own install below omits devDependencies); llm and
# aider to venvs in /app/.tools, where nightshift looks as in a checkout. --verify runs each CLI found through this PATH.
# safe.directory: repositories mounted from the host belong to another user, which git refuses by default.
ENV PATH="/opt/agents/node_modules/.bin:/app/.tools/llm/bin:/app/.tools/aider/bin:${PATH}"
COPY package.json ./
COPY scripts/install-agent-clis.sh ./scripts/
RUN bash scripts/install-agent-clis.sh --npm-prefix /opt/agents --verify \
  && git config --system --add safe.directory '*' \
  && rm -rf /var/lib/apt/lists/* /root/.npm /root/.cache

COPY package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY bin ./bin
COPY src ./src
COPY tsconfig.json ./

# Each container its own data dir (worktrees, mirrors, sessions): an anonymous volume per container unless mounted.
ENV NIGHTSHIFT_DATA_DIR=/data
VOLUME ["/data"]
ENTRYPOINT ["tini", "-s", "--", "node", "/app/bin/nightshift.js"]
