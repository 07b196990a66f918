#!/bin/bash
APP_DIR=/var/www/shop
mkdir -p "$APP_DIR/storage/uploads" "$APP_DIR/storage/cache"
chown -R www-data:www-data "$APP_DIR/storage"
chmod -R u=rwX,g=rX,o= "$APP_DIR/storage"
chmod 755 "$APP_DIR/bin/console"
