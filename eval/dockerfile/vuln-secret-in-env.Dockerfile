FROM node:20-alpine
WORKDIR /app
ENV NODE_ENV=production
ENV STRIPE_SECRET_KEY=sk_live_51NcX8vKq2LmZ4pR7tY9wE3
COPY package*.json ./
RUN npm ci --omit=dev
COPY . .
USER node
CMD ["node", "index.js"]
