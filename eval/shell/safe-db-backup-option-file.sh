#!/bin/bash
DATE=$(date +%F)
mysqldump --defaults-extra-file=/etc/backup/my.cnf -h db.internal --single-transaction shop | gzip > "/backups/shop-$DATE.sql.gz"
