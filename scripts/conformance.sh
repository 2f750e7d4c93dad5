#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance, pinned below), server
# side, against a running mcp-pa HTTP endpoint. Adapted and trimmed from the team's
# shared/tools/conformance.sh; test/conformance/server.test.ts starts the servers and calls this.
#
#   bash scripts/conformance.sh --install                     # install into the cache, nothing else
#   bash scripts/conformance.sh --url http://127.0.0.1:8787/mcp --generic [--scenario NAME]...
#   bash scripts/conformance.sh --list                        # the installed suite's scenarios
#   bash scripts/conformance.sh --command "node dist/cli/main.js conformance" \
#     --client-scenario auth/metadata-default [--client-scenario NAME]... [--jobs 2]
#   bash scripts/conformance.sh --list-client                 # the client scenarios
#
# The package is installed once into "$CONFORMANCE_CACHE/<version>" (default
# ${XDG_CACHE_HOME:-$HOME/.cache}/mcp-pa-ci/conformance, outside the repository) and reused. It
# needs Node >= 22 (on 20 it dies at load): on an older `node`, Node 24 comes from
# scripts/node24.sh's cache (node24_fetch, the same copy CI's Node 24 pass uses). Only the npm
# registry is contacted. The suite connects as an MCP client with NO Authorization header: run the
# server with authentication off on loopback, or put a token-injecting proxy in front.
#
# Options:
#   --url URL          MCP endpoint to test (a loopback URL: dns-rebinding-protection needs one)
#   --generic          the scenarios any MCP server can pass without the suite's fixture tools:
#                      server-initialize ping logging-set-level tools-list
#                      server-sse-multiple-streams dns-rebinding-protection
#   --scenario NAME    one more server scenario (repeatable)
#   --command CMD      client mode: the client command; the suite appends the MCP server URL
#   --client-scenario NAME  one client scenario (repeatable), each run on its own in the suite's
#                      strict single-scenario mode: a FAILURE or WARNING check, a non-zero exit
#                      (except where the scenario allows it) or a timeout fails it
#   --timeout MS       the client's time limit per scenario (default 30000)
#   --jobs N           client scenarios run at the same time (default 1)
#   --version V        the suite's version (default: the pinned one; also CONFORMANCE_VERSION)
#   --output DIR       keep results there: DIR/<scenario>/…/checks.json and DIR/results.jsonl
#                      (one JSON line per scenario: scenario, exitCode, checks or error)
#
# Output: one line per scenario (PASS/FAIL, check counts), each FAILURE or WARNING check under it,
# then "N passed, M failed". A scenario passes when the suite says so (no FAILURE check; WARNINGs
# are shown but do not fail it). Progress goes to stderr.
# Exit status: 0 all passed, 1 some scenario failed, 2 usage error, 3 the suite or Node >= 22
# could not be installed (e.g. no registry access).
set -uo pipefail

# Pinned: bump deliberately and re-check the scenario results in test/conformance/server.test.ts.
CONFORMANCE_VERSION="${CONFORMANCE_VERSION:-0.1.16}"
CONFORMANCE_CACHE="${CONFORMANCE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/mcp-pa-ci/conformance}"
SCENARIO_TIMEOUT=120
GENERIC=(server-initialize ping logging-set-level tools-list server-sse-multiple-streams dns-rebinding-protection)

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
# shellcheck source=scripts/node24.sh
source "$ROOT/scripts/node24.sh"

log() { printf '[conformance %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
usage_error() {
  echo "conformance.sh: $* (see the comment at the top of scripts/conformance.sh)" >&2
  exit 2
}
setup_error() {
  log "error: $*"
  exit 3
}

URL=""
OUTPUT=""
INSTALL_ONLY=0
LIST=0
SCENARIOS=()
CLIENT_SCENARIOS=()
COMMAND=""
CLIENT_TIMEOUT=30000
JOBS=1
LIST_CLIENT=0
while (($# > 0)); do
  case "$1" in
    --command) (($# >= 2)) || usage_error "--command needs a value"; COMMAND="$2"; shift 2 ;;
    --client-scenario) (($# >= 2)) || usage_error "--client-scenario needs a value"; CLIENT_SCENARIOS+=("$2"); shift 2 ;;
    --timeout) [[ "${2:-}" =~ ^[0-9]+$ ]] || usage_error "--timeout needs milliseconds"; CLIENT_TIMEOUT="$2"; shift 2 ;;
    --jobs) [[ "${2:-}" =~ ^[1-9]$ ]] || usage_error "--jobs needs 1-9"; JOBS="$2"; shift 2 ;;
    --version) [[ "${2:-}" =~ ^[0-9A-Za-z.-]+$ ]] || usage_error "--version needs a version"; CONFORMANCE_VERSION="$2"; shift 2 ;;
    --list-client) LIST_CLIENT=1; shift ;;
    --url) (($# >= 2)) || usage_error "--url needs a value"; URL="$2"; shift 2 ;;
    --scenario) (($# >= 2)) || usage_error "--scenario needs a value"; SCENARIOS+=("$2"); shift 2 ;;
    --generic) SCENARIOS+=("${GENERIC[@]}"); shift ;;
    --output) (($# >= 2)) || usage_error "--output needs a value"; OUTPUT="$2"; shift 2 ;;
    --install) INSTALL_ONLY=1; shift ;;
    --list) LIST=1; shift ;;
    -h | --help) sed -n '2,/^set -uo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) usage_error "unknown argument: $1" ;;
  esac
done
if ((INSTALL_ONLY == 0 && LIST == 0 && LIST_CLIENT == 0)); then
  if [[ -n "$COMMAND" ]]; then
    ((${#CLIENT_SCENARIOS[@]} > 0)) || usage_error "no client scenario: give --client-scenario NAME"
    [[ -z "$URL" ]] || usage_error "give either --url (server mode) or --command (client mode)"
  else
    [[ -n "$URL" ]] || usage_error "--url (server mode) or --command (client mode) is required"
    ((${#SCENARIOS[@]} > 0)) || usage_error "no scenario: give --generic and/or --scenario NAME"
  fi
fi

# ---------------------------------------------------------------- Node >= 22
NODE="$(command -v node || true)"
major="$([[ -n "$NODE" ]] && "$NODE" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)"
if ((major < 22)); then
  log "node ${major} < 22: using Node 24 from scripts/node24.sh's cache"
  node24_fetch || setup_error "could not get Node 24 ($NODE24_SPEC) from the npm registry"
  NODE="$NODE24_HOME/bin/node"
fi

# ---------------------------------------------------------------- the suite, installed once
HOME_DIR="$CONFORMANCE_CACHE/$CONFORMANCE_VERSION"
CONF_JS="$HOME_DIR/node_modules/@modelcontextprotocol/conformance/dist/index.js"
PRELOAD="$HOME_DIR/loopback-preload.cjs"

installed_ok() {
  [[ -f "$CONF_JS" && -f "$PRELOAD" ]] &&
    [[ "$("$NODE" -p "require('$HOME_DIR/node_modules/@modelcontextprotocol/conformance/package.json').version" 2>/dev/null)" == "$CONFORMANCE_VERSION" ]]
}

install_suite() {
  mkdir -p "$CONFORMANCE_CACHE" || return 1
  local tmp began=$SECONDS
  tmp="$(mktemp -d "$CONFORMANCE_CACHE/.install-$CONFORMANCE_VERSION.XXXXXX")" || return 1
  log "installing @modelcontextprotocol/conformance@$CONFORMANCE_VERSION from the npm registry into $HOME_DIR (first run only)"
  echo '{"private": true}' >"$tmp/package.json"
  # --ignore-scripts: the suite needs no install scripts, so none of its dependencies run any.
  if ! npm install --prefix "$tmp" --no-audit --no-fund --ignore-scripts --loglevel=error \
    "@modelcontextprotocol/conformance@$CONFORMANCE_VERSION" >"$tmp/npm-install.log" 2>&1; then
    grep -v '^npm warn Unknown' "$tmp/npm-install.log" >&2
    rm -rf "$tmp"
    return 1
  fi
  # The suite's mock servers (client scenarios) call listen(0) without a host, i.e. on every
  # interface. This preload turns such listens into 127.0.0.1 binds, keeping listen() synchronous
  # (the suite reads server.address() right after it). Server scenarios start none today; it is
  # kept so that nothing the suite starts is ever reachable from outside.
  cat >"$tmp/loopback-preload.cjs" <<'JS'
const net = require('net')
const listen2 = net.Server.prototype._listen2
if (typeof listen2 === 'function') {
  net.Server.prototype._listen2 = function (address, port, addressType, backlog, fd, flags) {
    if ((fd === undefined || fd === null || fd < 0) && (address == null || address === '::' || address === '0.0.0.0')) {
      address = '127.0.0.1'
      addressType = 4
    }
    return listen2.call(this, address, port, addressType, backlog, fd, flags)
  }
}
JS
  rm -rf "$HOME_DIR"
  # Atomic: a concurrent or interrupted run never leaves a half-installed suite behind.
  mv -T "$tmp" "$HOME_DIR" 2>/dev/null || rm -rf "$tmp"
  log "installed in $((SECONDS - began))s"
}

if installed_ok; then
  log "using cached conformance $CONFORMANCE_VERSION in $HOME_DIR"
else
  install_suite || setup_error "npm install @modelcontextprotocol/conformance@$CONFORMANCE_VERSION failed (is the npm registry reachable?)"
  installed_ok || setup_error "the installed suite is incomplete: $HOME_DIR"
fi
SDK_VERSION="$("$NODE" -p "require('$HOME_DIR/node_modules/@modelcontextprotocol/sdk/package.json').version" 2>/dev/null || echo '?')"
log "conformance $CONFORMANCE_VERSION (its client: @modelcontextprotocol/sdk $SDK_VERSION) on node $("$NODE" --version)"

if ((INSTALL_ONLY == 1)); then exit 0; fi
if ((LIST == 1)); then
  "$NODE" "$CONF_JS" list --server
  exit $?
fi
if ((LIST_CLIENT == 1)); then
  "$NODE" "$CONF_JS" list --client
  exit $?
fi

# ---------------------------------------------------------------- server scenarios
WORK="$(mktemp -d "${TMPDIR:-/tmp}/mcp-pa-conformance.XXXXXX")" || setup_error "mktemp failed"
trap 'rm -rf "$WORK"' EXIT
OUT="${OUTPUT:-$WORK/results}"
mkdir -p "$OUT" || usage_error "cannot create $OUT"
: >"$OUT/results.jsonl"

# Appends {scenario, exitCode, checks | error} to results.jsonl and prints the summary line plus
# every FAILURE / WARNING check. Verdict: the suite's own exit code.
report() { # scenario exit-code log-file result-dir
  "$NODE" - "$@" "$OUT/results.jsonl" <<'JS'
const fs = require('node:fs')
const path = require('node:path')
const [scenario, code, logFile, dir, jsonl] = process.argv.slice(2)
const find = (d) => {
  for (const e of fs.existsSync(d) ? fs.readdirSync(d, { withFileTypes: true }) : []) {
    const p = path.join(d, e.name)
    if (e.isFile() && e.name === 'checks.json') return p
    if (e.isDirectory()) { const f = find(p); if (f) return f }
  }
}
const file = find(dir)
const text = fs.readFileSync(logFile, 'utf8').replace(/\x1b\[[0-9;]*m/g, '')
const checks = file ? JSON.parse(fs.readFileSync(file, 'utf8')) : null
const exitCode = Number(code)
const pass = exitCode === 0 && checks !== null
const line = { scenario, exitCode, pass }
let detail
if (checks) {
  const n = (s) => checks.filter((c) => c.status === s).length
  detail = `${n('SUCCESS')} passed, ${n('FAILURE')} failed, ${n('WARNING')} warnings`
  line.checks = checks.map(({ id, status, errorMessage, details }) => ({ id, status, errorMessage, details }))
} else {
  const lines = text.split('\n').filter((l) => l.trim() !== '')
  const telling = lines.find((l) => /Unknown scenario/.test(l)) ?? lines.find((l) => /rror/.test(l))
  line.error = exitCode === 124 ? `timed out` : (telling ?? lines.at(-1) ?? `exit code ${exitCode}`).trim()
  detail = `did not run: ${line.error}`
}
fs.appendFileSync(jsonl, `${JSON.stringify(line)}\n`)
console.log(`${pass ? 'PASS' : 'FAIL'} ${scenario.padEnd(32)} ${detail}`)
for (const c of checks ?? []) {
  if (c.status === 'FAILURE' || c.status === 'WARNING') {
    const why = c.errorMessage ?? c.details?.message ?? c.description ?? ''
    console.log(`       - ${c.status} ${c.id}: ${why}`)
  }
}
process.exitCode = pass ? 0 : 1
JS
}

# ---------------------------------------------------------------- client scenarios
if [[ -n "$COMMAND" ]]; then
  # One scenario per suite run (strict: the client's exit code and a timeout count), from the
  # repository root so that relative paths in the command work; up to $JOBS at a time.
  run_client() { # scenario
    local sc="$1" name="${1//\//_}" code
    (cd "$ROOT" && timeout $((CLIENT_TIMEOUT / 1000 + 60)) "$NODE" --require "$PRELOAD" "$CONF_JS" \
      client --command "$COMMAND" --scenario "$sc" --timeout "$CLIENT_TIMEOUT" -o "$OUT/$sc" \
      >"$WORK/$name.log" 2>&1)
    code=$?
    report "$sc" "$code" "$WORK/$name.log" "$OUT/$sc" || true
  }
  seen=" "
  running=0
  for sc in "${CLIENT_SCENARIOS[@]}"; do
    [[ "$seen" == *" $sc "* ]] && continue
    seen+="$sc "
    [[ "$sc" =~ ^[A-Za-z0-9._/-]+$ ]] || usage_error "bad scenario name: $sc"
    log "client scenario $sc: $COMMAND <url>"
    run_client "$sc" &
    running=$((running + 1))
    if ((running >= JOBS)); then
      wait -n
      running=$((running - 1))
    fi
  done
  wait
  PASSED="$(grep -c '"pass":true' "$OUT/results.jsonl")"
  FAILED="$(grep -c '"pass":false' "$OUT/results.jsonl")"
  echo "$PASSED passed, $FAILED failed"
  ((FAILED == 0))
  exit $?
fi

PASSED=0
FAILED=0
seen=" "
for sc in "${SCENARIOS[@]}"; do
  [[ "$seen" == *" $sc "* ]] && continue
  seen+="$sc "
  [[ "$sc" =~ ^[A-Za-z0-9._-]+$ ]] || usage_error "bad scenario name: $sc"
  log "scenario $sc against $URL"
  (cd "$WORK" && timeout "$SCENARIO_TIMEOUT" "$NODE" --require "$PRELOAD" "$CONF_JS" \
    server --url "$URL" --scenario "$sc" -o "$OUT/$sc" >"$WORK/$sc.log" 2>&1)
  code=$?
  if report "$sc" "$code" "$WORK/$sc.log" "$OUT/$sc"; then
    PASSED=$((PASSED + 1))
  else
    FAILED=$((FAILED + 1))
  fi
done

echo "$PASSED passed, $FAILED failed"
((FAILED == 0))
