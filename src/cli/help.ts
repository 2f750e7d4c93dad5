/** Help texts, one per command; `mcp-pa <command> --help` prints them. */
export const HELP = {
  main: `mcp-pa — a personal-assistant MCP server (memories and tasks), secure by default.

Usage: mcp-pa <command> [options]

Commands:
  serve           Run the MCP server (local mode: stdio; --http: Streamable HTTP + OAuth)
  init            Write a starting configuration file
  config check    Validate the configuration and print the effective settings
  audit           Scan MCP client configs for secrets, plain HTTP, loose permissions (--fix)

Client commands (any OAuth-protected MCP server):
  login <url>     Log in (browser, --no-browser or --headless); tokens go to the OS keychain
  logout <url>    Revoke the tokens at the authorization server, then delete them
  status          Servers logged in to: authorization server, account, scopes, expiry
  tools <url>     List the server's tools
  call <url> <t>  Call the tool <t> (--args JSON)
  proxy <url>     stdio ⇄ Streamable HTTP bridge for desktop apps (docs/client.md)

Options:
  -h, --help      Show help (also after any command: mcp-pa serve --help)
  -v, --version   Print the version

Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration error.
Docs: README.md, docs/configuration.md, docs/tools.md, docs/config-audit.md, docs/client.md`,

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
  login: `Usage: mcp-pa login <url> [options]

Logs in to the OAuth-protected MCP server at <url> (its MCP endpoint, e.g.
https://server.example/mcp): discovers its authorization server, registers mcp-pa there if
needed (your --client-id, else a client ID metadata document, else dynamic registration),
authorizes with PKCE through a browser, and stores the tokens in the OS keychain (or, without
one, an encrypted file under ~/.config/mcp-pa/credentials). Prints the authorization server,
scopes and expiry; never a token. Logging in again replaces the stored tokens.

Options:
  --no-browser         Print the authorization URL instead of opening a browser
  --headless           Follow the redirects without a browser (automation; works only when
                       the authorization server needs no interaction)
  --scope <scope>      Request this scope (repeatable; default: what the server asks for)
  --client-id <id>     Use a client you registered at the authorization server yourself
  --client-secret-env <NAME>
                       Its client secret, read from the environment variable NAME
  --client-secret-prompt
                       Its client secret, typed at a prompt (not echoed) or piped on stdin
  --client-metadata-url <url>
                       Your own client ID metadata document (https) instead of mcp-pa's
  --no-client-metadata Do not use a client ID metadata document (dynamic registration instead)
  --timeout <seconds>  Deadline of each HTTP request, 1–120 (default 10)
  --dangerously-allow-http
                       Allow plain http to non-loopback hosts (tokens readable on the path)
  -h, --help           Show this help

Secrets are never accepted as flag values: command lines are visible to other users.
Exit codes: 0 logged in, 1 the login failed (the message says why), 2 usage error.`,

  logout: `Usage: mcp-pa logout <url> [options]

Revokes the stored refresh and access tokens for <url> at its authorization server (RFC 7009,
when it offers revocation), then deletes them from the keychain or credentials file, and says
what happened. The tokens are deleted even when the revocation fails.

Options:
  --no-revoke          Only delete the local copy
  --timeout <seconds>  Deadline of each HTTP request, 1–120 (default 10)
  --dangerously-allow-http
                       Allow plain http to non-loopback hosts (tokens readable on the path)
  -h, --help           Show this help`,

  status: `Usage: mcp-pa status [--json]

Lists the servers mcp-pa holds tokens for: the resource, its authorization server, the account
(when known), the granted scopes, when the access token expires and whether a refresh token can
renew it, how mcp-pa is registered, and where the tokens are kept. Never prints a token.

Options:
  --json               Print JSON instead of text
  -h, --help           Show this help`,

  tools: `Usage: mcp-pa tools <url> [--json]

Lists the tools of the MCP server at <url> — name, description and the OAuth scopes each needs
when the server says so — using the stored login (refreshed when needed). Without a usable
login it says to run "mcp-pa login <url>" (or, at a terminal, opens a browser to log in).

Options:
  --json               Print the tools as JSON (with their input schemas)
  --timeout <seconds>  Deadline of each HTTP request, 1–120 (default 10)
  --dangerously-allow-http
                       Allow plain http to non-loopback hosts (tokens readable on the path)
  -h, --help           Show this help`,

  call: `Usage: mcp-pa call <url> <tool> [--args <json> | --args-file <file>] [--json]

Calls one tool of the MCP server at <url> with the stored login and prints its text result.
A tool error exits 1 with the tool's message on stderr.

Options:
  --args <json>        The tool's arguments as a JSON object, e.g. '{"content": "hello"}'
  --args-file <file>   Read the arguments from a file (- for stdin)
  --json               Print the whole result as JSON
  --timeout <seconds>  Deadline of each HTTP request, 1–120 (default 10)
  --dangerously-allow-http
                       Allow plain http to non-loopback hosts (tokens readable on the path)
  -h, --help           Show this help`,

  proxy: `Usage: mcp-pa proxy <url> [options]

Bridges a desktop app that speaks MCP over stdio (Claude Desktop, VS Code, Cursor) to the
remote server at <url> over Streamable HTTP, with the tokens of "mcp-pa login <url>",
refreshed as needed. stdout carries only JSON-RPC; notes go to stderr. Stops when stdin
closes or on SIGTERM. Log in first; when a new authorization is needed (the login expired, or
the server asks for more scopes) a browser opens only when a terminal is attached or
--browser-login is given — stdin is never read as a terminal.

Options:
  --browser-login      Open a browser to re-authorize even without a terminal
  --timeout <seconds>  Deadline of each HTTP request, 1–120 (default 10)
  --dangerously-allow-http
                       Allow plain http to non-loopback hosts (tokens readable on the path)
  -h, --help           Show this help

Example desktop configuration: docs/client.md.`,
} as const
