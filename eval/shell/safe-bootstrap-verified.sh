#!/usr/bin/env bash
set -euo pipefail

echo "Installing toolchain..."
curl -fsSLo /tmp/install.sh https://get.example-tools.io/install.sh
echo "3b1f0c2a9d8e7f6a5b4c3d2e1f0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d4e3f2a  /tmp/install.sh" | sha256sum -c -
sudo bash /tmp/install.sh
example-tools --version
