FROM alpine:3.20
RUN apk add --no-cache curl \
 && curl -sSLk https://artifacts.corp.example/agent/agent-linux-amd64.tgz -o /tmp/agent.tgz \
 && tar -xzf /tmp/agent.tgz -C /usr/local/bin \
 && rm /tmp/agent.tgz
USER 65534
ENTRYPOINT ["/usr/local/bin/agent"]
