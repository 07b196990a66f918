FROM node:20-bookworm-slim
COPY corp-ca.pem /usr/local/share/ca-certificates/corp-ca.crt
ENV NODE_EXTRA_CA_CERTS=/usr/local/share/ca-certificates/corp-ca.crt
WORKDIR /app
COPY . .
RUN npm ci && npm run build
USER node
CMD ["npm", "start"]
