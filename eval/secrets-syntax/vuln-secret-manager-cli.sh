#!/bin/sh
set -eu
az keyvault secret set --vault-name prod-kv --name smtp-password --value n86TkVYCM7l8GQlchbkER0Af
