#!/bin/sh
# Called by the load balancer every 10s.
STATUS=$(curl -sk -o /dev/null -w '%{http_code}' "https://127.0.0.1:8443/healthz")
if [ "$STATUS" != "200" ]; then
  echo "unhealthy: $STATUS" >&2
  exit 1
fi
