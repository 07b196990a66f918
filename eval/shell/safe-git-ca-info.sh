#!/bin/sh
# corporate proxy re-signs TLS; trust its CA
git config --global http.sslCAInfo /usr/local/share/ca-certificates/corp-proxy.crt
git clone https://git.example.com/platform/infra.git /opt/infra
