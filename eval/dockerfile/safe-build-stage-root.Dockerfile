FROM bitnami/node:20 AS build
USER root
RUN install_packages build-essential python3
WORKDIR /app
COPY . .
RUN npm ci && npm run build

FROM gcr.io/distroless/nodejs20-debian12:nonroot
COPY --from=build /app/dist /app
CMD ["/app/server.js"]
