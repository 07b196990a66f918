# syntax=docker/dockerfile:1.7
FROM ubuntu:24.04
ADD --checksum=sha256:7d1f2c3b4a5968e7f6d5c4b3a29180f7e6d5c4b3a2918e7f6d5c4b3a2918e7f6 https://github.com/example/kubectl-plugin/releases/download/v0.9.1/plugin-linux-amd64 /usr/local/bin/kubectl-plugin
RUN chmod 755 /usr/local/bin/kubectl-plugin
USER 1000
