#!/bin/sh
# Called by the load balancer every 10s.
STATUS=$(curl -s --cacert /etc/ssl/internal-ca.pem -o /dev/null -w '%{http_code}' "https://app.internal:8443/healthz")
if [ "$STATUS" != "200" ]; then
  echo "unhealthy: $STATUS" >&2
  exit 1
fi
