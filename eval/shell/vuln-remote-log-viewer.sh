#!/bin/bash
# usage: view-log.sh <service>   (called from the ops chat bot with the user's text)
SERVICE="$1"
ssh ops@logs.internal "tail -n 200 /var/log/apps/$SERVICE.log"
