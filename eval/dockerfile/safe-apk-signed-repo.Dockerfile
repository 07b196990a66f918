FROM alpine:3.20
COPY vendor-signing.rsa.pub /etc/apk/keys/vendor-signing.rsa.pub
RUN echo "https://packages.vendor.example/alpine/v3.20/main" >> /etc/apk/repositories \
 && apk add --no-cache monitor=1.4.2-r0
USER 65534
