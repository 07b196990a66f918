#!/bin/bash
echo "deb [trusted=yes] http://apt.vendor.example/ stable main" > /etc/apt/sources.list.d/vendor.list
apt-get update
apt-get install -y vendor-monitoring-agent
