#!/bin/bash
set -e
JDK_URL="https://mirror.internal.example.com/jdk/jdk-21_linux-x64_bin.tar.gz"
wget -q --no-check-certificate -O /tmp/jdk.tgz "$JDK_URL"
tar -xzf /tmp/jdk.tgz -C /opt
