#!/bin/sh
set -eu
heroku config:set SESSION_SECRET=zymMlopiWfqUyHRSIf8NFmAU --app shop
