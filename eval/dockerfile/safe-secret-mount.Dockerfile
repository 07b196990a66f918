# syntax=docker/dockerfile:1.7
FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
ARG NPM_TOKEN
COPY package*.json ./
RUN --mount=type=secret,id=npmrc,target=/root/.npmrc npm ci --omit=dev
COPY . .
USER node
CMD ["node", "index.js"]
