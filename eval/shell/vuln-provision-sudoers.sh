#!/bin/bash
useradd -m -s /bin/bash ci
mkdir -p /home/ci/.ssh
cp /tmp/ci.pub /home/ci/.ssh/authorized_keys
echo "ci ALL=(ALL) NOPASSWD: ALL" > /etc/sudoers.d/ci
chmod 440 /etc/sudoers.d/ci
