#!/bin/bash
# usage: view-log.sh <service>   (called from the ops chat bot with the user's text)
case "$1" in
  api|web|worker) SERVICE="$1" ;;
  *) echo "unknown service" >&2; exit 2 ;;
esac
ssh ops@logs.internal "tail -n 200 /var/log/apps/${SERVICE}.log"
