#!/usr/bin/env bash
# Load environment settings published by the config service.
SETTINGS=$(curl -fsS "https://config.internal/env/${ENVIRONMENT}")
eval "$SETTINGS"
exec ./server --port "$PORT"
