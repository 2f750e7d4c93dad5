/** Help texts, one per command; `mcp-pa <command> --help` prints them. */
export const HELP = {
  main: `mcp-pa — a personal-assistant MCP server (memories and tasks), secure by default.

Usage: mcp-pa <command> [options]

Commands:
  serve           Run the MCP server (local mode: stdio; --http: Streamable HTTP + OAuth)
  init            Write a starting configuration file
  config check    Validate the configuration and print the effective settings
  audit           Scan MCP client configs for secrets, plain HTTP, loose permissions (--fix)

Options:
  -h, --help      Show help (also after any command: mcp-pa serve --help)
  -v, --version   Print the version

Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration error.
Docs: README.md, docs/configuration.md, docs/tools.md, docs/config-audit.md`,

  serve: `Usage: mcp-pa serve [--config <file>] [--http [--host <address>] [--port <port>]]

Local mode (the default) runs the MCP server over stdio for a desktop client (Claude Desktop,
Claude Code, VS Code, Cursor). stdout carries only JSON-RPC; logs go to stderr. The data lives in
SQLite at ~/.config/mcp-pa/database.sqlite unless the configuration says otherwise.

With --http (or "mode": "http") it serves Streamable HTTP at /mcp for many users, each with
their own data, protected by OAuth 2.1 bearer tokens from your identity provider
(docs/http-deployment.md). Plain HTTP is allowed only on a loopback address; elsewhere set
MCP_TLS_CERT and MCP_TLS_KEY, or run behind a TLS-terminating proxy with MCP_TRUST_PROXY=1,
and set MCP_PUBLIC_URL to the https URL clients use (it is the token audience).

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
      --http           Serve Streamable HTTP instead of stdio (same as MCP_MODE=http)
      --host <address> Address to listen on (default 127.0.0.1; implies --http)
  -p, --port <port>    TCP port (default 8787; implies --http)
  -h, --help           Show this help

Environment: MCP_* variables override the file (see docs/configuration.md), e.g.
  MCP_DATABASE_TYPE=postgresql MCP_DATABASE_URL=postgres://user@host/db mcp-pa serve
  MCP_OAUTH_PROVIDER=external MCP_OAUTH_ISSUER=https://idp.example.com mcp-pa serve --http`,

  init: `Usage: mcp-pa init [--http] [--config <file>] [--force]

Writes a commented starting configuration (JSON with comments) with mode 0600 in a 0700
directory. Secrets are never written: the file refers to them (env:NAME, file:/path).

Options:
  --http               Write an HTTP-mode configuration instead of local mode
  -c, --config <file>  Where to write (default ~/.config/mcp-pa/config.json)
  -f, --force          Overwrite an existing file
  -h, --help           Show this help`,

  config: `Usage: mcp-pa config check [--config <file>]

Validates the configuration (file + MCP_* environment variables) and prints the effective
settings as JSON with secrets redacted. Exits 3 when the configuration is invalid.

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
  -h, --help           Show this help`,

  audit: `Usage: mcp-pa audit [paths…] [options]

Scans the MCP client configurations on this machine (Claude Desktop, Claude Code, Cursor,
VS Code, Windsurf) and in the current project, plus any files named, for hardcoded
credentials, plain HTTP, disabled TLS checks, loose permissions, files exposed to git,
unpinned package runners, download-and-execute commands and broad OAuth scopes.
Secrets are always shown masked. Report on stdout; progress and notes on stderr.

Options:
  -f, --format <f>       text (default), json or sarif (SARIF 2.1.0, for code scanning)
  --fail-on <level>      error, warning (default) or note: exit 1 at or above it
  --fix                  Fix what is safe: chmod 600/700, move secrets to \${VAR} references
                         with the values in a 0600 .env next to the config, .gitignore entries;
                         a backup <file>.bak-<time> (0600) is kept
  --dry-run              With --fix: show the changes as a diff (secrets masked), write nothing
  --secrets-to <where>   env (default) or keychain (needs the optional @napi-rs/keyring)
  --no-discover          Audit only the files named
  -h, --help             Show this help

Exit codes: 0 clean, 1 findings at or above --fail-on (or a fix failed), 2 usage error or a
named file that could not be read or parsed. Guide: docs/config-audit.md`,
} as const
