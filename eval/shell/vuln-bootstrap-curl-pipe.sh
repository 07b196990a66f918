#!/usr/bin/env bash
set -euo pipefail

echo "Installing toolchain..."
curl -fsSL https://get.example-tools.io/install.sh | sudo bash
example-tools --version
