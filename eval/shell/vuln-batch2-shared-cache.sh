#!/bin/sh
CACHE=/opt/ci/cache
mkdir -p "$CACHE"
chmod 0777 "$CACHE"
export GRADLE_USER_HOME="$CACHE/gradle"
./gradlew build
