#!/bin/sh
CACHE=/opt/ci/cache
mkdir -p "$CACHE"
chgrp ci "$CACHE"
chmod 2770 "$CACHE"
export GRADLE_USER_HOME="$CACHE/gradle"
./gradlew build
