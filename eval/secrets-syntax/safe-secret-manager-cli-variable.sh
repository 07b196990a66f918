#!/bin/sh
set -eu
az keyvault secret set --vault-name prod-kv --name smtp-password --value "$SMTP_PASSWORD"
