#!/usr/bin/env bash
set -a
# shellcheck source=/dev/null
. /etc/shop/env
set +a
eval "$(ssh-agent -s)"
exec ./server --port "$PORT"
