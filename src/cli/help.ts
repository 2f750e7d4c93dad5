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

Built-in authorization server administration (on the configured database):
  users …         Local accounts: add, list, disable, enable, reset-password
  clients …       OAuth clients: list, show, add, revoke
  grants …        What users allowed clients: list, revoke
  keys …          Signing keys: list, rotate

Options:
  -h, --help      Show help (also after any command: mcp-pa serve --help)
  -v, --version   Print the version

Exit codes: 0 ok, 1 failure, 2 usage error, 3 configuration error.
Docs: README.md, docs/configuration.md, docs/tools.md, docs/config-audit.md, docs/client.md,\ndocs/admin-cli.md`,

  serve: `Usage: mcp-pa serve [--config <file>] [--http [--host <address>] [--port <port>]]

Local mode (the default) runs the MCP server over stdio for a desktop client (Claude Desktop,
Claude Code, VS Code, Cursor). stdout carries only JSON-RPC; logs go to stderr. The data lives in
SQLite at ~/.config/mcp-pa/database.sqlite unless the configuration says otherwise.

With --http (or "mode": "http") it serves Streamable HTTP at /mcp for many users, each with
their own data, protected by OAuth 2.1 bearer tokens from the built-in authorization server
(users sign in on its pages; docs/authorization-server.md) or from your identity provider
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

  users: `Usage: mcp-pa users <subcommand> [options]

Local accounts of the built-in authorization server (people who log in on its login page).
Passwords are never taken from the command line: at a terminal you type them twice (not
echoed); otherwise the first line of stdin is read. Policy: 12–1024 characters, not one
character repeated, not the username.

Subcommands:
  add <username>             Create an account
      --display-name <name>  The name shown on the consent page
      --generate             Generate a password and print it once instead of reading one
  list                       Username, display name, status, last login, locked until (--json)
  disable <username>         Refuse its logins and revoke every grant it gave
  enable <username>          Allow its logins again
  reset-password <username>  Set a new password (or --generate); clears failed logins and lockout

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
      --json           With list: print JSON
  -h, --help           Show this help

Examples:
  mcp-pa users add alice --display-name "Alice Example"
  printf '%s\\n' "$NEW_PASSWORD" | mcp-pa users reset-password alice
  mcp-pa users add bob --generate

Every change is written as an audit event to the log (stderr). Guide: docs/admin-cli.md`,

  clients: `Usage: mcp-pa clients <subcommand> [options]

OAuth clients stored by the built-in authorization server: added here or registered
dynamically (clients identified by a metadata document URL are not stored).

Subcommands:
  list                         Client id, name, origin (admin/dcr), auth method, grant types
      --limit <n>              At most n clients, newest first (default 100, at most 1000)
  show <client-id>             Every stored field; the secret only as "(hashed)"
  add --name <name> …          Register a client (options below)
  revoke <client-id>           Delete the client and revoke every grant and token it holds

Options of add:
  --name <name>                The name people see on the consent page (required)
  --redirect-uri <uri>         Exact redirect URI, repeatable: https, or http on 127.0.0.1,
                               [::1] or localhost (any port matches); no fragment
  --auth-method <method>       none (public client, PKCE; the default), client_secret_basic,
                               client_secret_post, private_key_jwt or tls_client_auth; it
                               must be in authentication.client_auth_methods
  --grant-type <type>          authorization_code (default) and/or client_credentials
                               (confidential clients only); repeatable
  --no-refresh-token           No refresh tokens with authorization_code
  --application-type <type>    native or web (default: native when every redirect URI is
                               http on loopback, else web)
  --jwks-uri <https-url>       private_key_jwt: where the client publishes its public keys
  --jwks-file <file>           private_key_jwt: its public keys as a JWK set (private keys
                               are refused)
  --tls-subject-dn <dn>        tls_client_auth: the client certificate's subject DN
  --id <client-id>             Choose the client id (1–200 of A-Z a-z 0-9 . _ : -); default
                               mcp-pa- followed by random characters

For client_secret_basic and client_secret_post a secret is generated and printed once: only
its hash is stored. A secret is never accepted on the command line.

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
      --json           With list, show or add: print JSON
  -h, --help           Show this help

Examples:
  mcp-pa clients add --name "Desktop app" --redirect-uri http://127.0.0.1/callback
  mcp-pa clients add --name Reporter --grant-type client_credentials
  mcp-pa clients revoke mcp-pa-3q2x…

Guide: docs/admin-cli.md`,

  grants: `Usage: mcp-pa grants <subcommand> [options]

Grants are what an account allowed a client (scopes, resources); every access token, refresh
token and authorization code belongs to one.

Subcommands:
  list                   Grant id, user, client, scopes, created, expires (newest first)
      --user <user>      Only this account (a username, or an account id)
      --client <id>      Only this client
      --limit <n>        At most n grants (default 100, at most 1000)
  revoke <grant-id>      Delete the grant and every token and code issued under it (the full
                         id, as list shows it); the client must ask for consent again

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
      --json           With list: print JSON
  -h, --help           Show this help

Example:
  mcp-pa grants list --user alice
  mcp-pa grants revoke 6PwWqv0rTzVb…

Guide: docs/admin-cli.md`,

  keys: `Usage: mcp-pa keys <subcommand> [options]

The built-in authorization server's signing keys. The private keys are stored encrypted
under the key-encryption key and never printed.

Subcommands:
  list                 Kid, algorithm, state (active, retiring, retired), created, retire after
  rotate               Make a new active key; the previous one keeps verifying tokens until
                       the longest token lifetime has passed, then retires
      --alg <alg>      ES256 or EdDSA (default: the current key's)

rotate needs the key-encryption key the server uses: the secret reference in
authentication.authorization_server.key_encryption_key (or MCP_OAUTH_KEY_ENCRYPTION_KEY,
e.g. env:MCP_PA_KEK or file:/run/secrets/kek); on SQLite without one, the key the server
generated beside the database.

Options:
  -c, --config <file>  Configuration file (default ~/.config/mcp-pa/config.json if present)
      --json           With list: print JSON
  -h, --help           Show this help

Guide: docs/admin-cli.md`,
} as const
