#!/bin/bash
npm config set registry https://npm.internal.example.com/
npm config set cafile /etc/ssl/certs/internal-ca.pem
npm ci --no-audit
