FROM debian:12-slim
ARG NODESOURCE_SHA256
RUN apt-get update && apt-get install -y --no-install-recommends curl ca-certificates \
 && curl -fsSLo /tmp/nodesource_setup.sh https://deb.nodesource.com/setup_20.x \
 && echo "${NODESOURCE_SHA256}  /tmp/nodesource_setup.sh" | sha256sum -c - \
 && bash /tmp/nodesource_setup.sh \
 && apt-get install -y nodejs \
 && rm -rf /var/lib/apt/lists/* /tmp/nodesource_setup.sh
WORKDIR /app
COPY . .
RUN npm ci --omit=dev
USER node
CMD ["node", "server.js"]
