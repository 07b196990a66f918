#!/bin/bash
set -euo pipefail
# install helm on the build agent
curl -fsSL https://raw.githubusercontent.com/helm/helm/main/scripts/get-helm-3 | bash
helm version
