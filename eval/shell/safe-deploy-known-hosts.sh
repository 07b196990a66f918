#!/bin/bash
set -euo pipefail
for host in $(cat hosts.txt); do
  rsync -az -e "ssh -o StrictHostKeyChecking=yes -o UserKnownHostsFile=/etc/deploy/known_hosts" ./build/ "deploy@${host}:/srv/app/"
  ssh -o UserKnownHostsFile=/etc/deploy/known_hosts "deploy@${host}" "sudo systemctl restart app"
done
