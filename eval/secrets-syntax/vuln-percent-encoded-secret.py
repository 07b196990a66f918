# A signature pasted percent-encoded from a URL: %2F and %3d are bytes, not format directives.
SIGNING_SECRET = "Rk9wT3Jx%2FbmZ1LXZh8Kq%3dWm4Zp0Tq7Vs"
