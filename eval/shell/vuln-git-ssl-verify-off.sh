#!/bin/sh
# corporate proxy re-signs TLS; make git work behind it
git config --global http.sslVerify false
git clone https://git.example.com/platform/infra.git /opt/infra
