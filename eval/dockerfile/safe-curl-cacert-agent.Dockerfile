FROM alpine:3.20
COPY corp-ca.pem /usr/local/share/ca-certificates/corp-ca.crt
RUN apk add --no-cache curl ca-certificates && update-ca-certificates \
 && curl -sSL --cacert /usr/local/share/ca-certificates/corp-ca.crt https://artifacts.corp.example/agent/agent-linux-amd64.tgz -o /tmp/agent.tgz \
 && tar -xzf /tmp/agent.tgz -C /usr/local/bin \
 && rm /tmp/agent.tgz
USER 65534
ENTRYPOINT ["/usr/local/bin/agent"]
