#!/bin/bash
set -e
JDK_URL="https://mirror.internal.example.com/jdk/jdk-21_linux-x64_bin.tar.gz"
wget -q -O /tmp/jdk.tgz "$JDK_URL"
echo "${JDK_SHA256}  /tmp/jdk.tgz" | sha256sum -c -
tar -xzf /tmp/jdk.tgz -C /opt
