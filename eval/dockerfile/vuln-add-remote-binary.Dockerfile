FROM ubuntu:24.04
ADD https://github.com/example/kubectl-plugin/releases/download/v0.9.1/plugin-linux-amd64 /usr/local/bin/kubectl-plugin
RUN chmod 755 /usr/local/bin/kubectl-plugin
USER 1000
