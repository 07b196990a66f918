#!/bin/bash
DATE=$(date +%F)
mysqldump -h db.internal -u backup -pB4ckupP4ss! --single-transaction shop | gzip > "/backups/shop-$DATE.sql.gz"
