#!/bin/sh
DEPLOY_TOKEN=$(vault kv get -field=token secret/deploy)
DEPLOY_TOKEN_FILE=/run/secrets/deploy-token
TOKEN_TTL_SECONDS=3600
