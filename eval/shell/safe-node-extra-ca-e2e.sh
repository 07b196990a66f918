#!/bin/bash
export BASE_URL=https://staging.example.com
export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/staging-ca.pem
npx playwright test --project=chromium
