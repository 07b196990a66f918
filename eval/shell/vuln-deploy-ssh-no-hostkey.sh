#!/bin/bash
set -euo pipefail
for host in $(cat hosts.txt); do
  rsync -az -e "ssh -o StrictHostKeyChecking=no" ./build/ "deploy@${host}:/srv/app/"
  ssh -o StrictHostKeyChecking=no "deploy@${host}" "sudo systemctl restart app"
done
