#!/bin/bash
npm config set registry https://npm.internal.example.com/
npm config set strict-ssl false
npm ci --no-audit
