FROM alpine:3.20
COPY vendor/monitor-1.4.2-r0.apk /tmp/
RUN apk add --no-cache --allow-untrusted /tmp/monitor-1.4.2-r0.apk
USER 65534
