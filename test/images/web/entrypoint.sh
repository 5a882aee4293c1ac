#!/bin/sh
# Writes the version marker page, then serves it with busybox httpd on :8080.
# The page is one line: "railyard-test-web version=<VERSION> host=<HOSTNAME>"
# (set VERSION with `-e VERSION=...` or the VERSION build arg).
echo "railyard-test-web version=${VERSION:-unset} host=${HOSTNAME:-unknown}" > /www/index.html
httpd -f -p 8080 -h /www &
pid=$!
# PID 1 ignores signals it does not handle: trap them so `docker stop` is fast.
trap 'kill -TERM "$pid" 2>/dev/null; exit 0' TERM INT
wait "$pid"
