#!/bin/sh
docker run --rm \
  --user "$(id -u):$(id -g)" \
  -v "$PWD:/workspace" -w /workspace \
  ci-runner:2.4.1 make release
