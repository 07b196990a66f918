FROM node:20-bookworm-slim
ENV NODE_TLS_REJECT_UNAUTHORIZED=0
WORKDIR /app
COPY . .
RUN npm ci && npm run build
USER node
CMD ["npm", "start"]
