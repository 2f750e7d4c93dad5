/**
 * The one stylesheet of the pages, served by the app at `UI_STYLESHEET_PATH` (the CSP allows
 * styles from our origin only: no inline `<style>` and no `style=` attributes). Mobile first,
 * system fonts, light and dark schemes, WCAG AA contrast, visible focus, 44 px tap targets.
 */
export const UI_STYLESHEET = `:root {
  color-scheme: light dark;
  --bg: #f3f4f7;
  --surface: #ffffff;
  --text: #16191f;
  --muted: #4f5766;
  --border: #d5dae2;
  --accent: #1d5bd0;
  --accent-hover: #164aae;
  --on-accent: #ffffff;
  --danger: #b42318;
  --danger-bg: #fdecea;
  --warning-bg: #fff4d6;
  --warning-border: #b26b00;
  --warning-text: #4d3200;
  --notice-bg: #e7f0fe;
  --notice-border: #1d5bd0;
  --notice-text: #123a78;
  --focus: #1d5bd0;
  --radius: 10px;
}
@media (prefers-color-scheme: dark) {
  :root {
    --bg: #111318;
    --surface: #1b1e25;
    --text: #e9ebef;
    --muted: #a9b0bd;
    --border: #363c48;
    --accent: #7aa7ff;
    --accent-hover: #9bbcff;
    --on-accent: #0a1428;
    --danger: #ff9b91;
    --danger-bg: #3a1715;
    --warning-bg: #3a2d0c;
    --warning-border: #e0a83a;
    --warning-text: #ffe3a6;
    --notice-bg: #14264a;
    --notice-border: #7aa7ff;
    --notice-text: #d3e2ff;
    --focus: #9bbcff;
  }
}
*, *::before, *::after { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; text-size-adjust: 100%; }
body {
  margin: 0;
  background: var(--bg);
  color: var(--text);
  font: 400 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "Liberation Sans", Arial, sans-serif;
}
.page { max-width: 30rem; margin: 0 auto; padding: 1.5rem 1rem 2rem; }
.page-wide { max-width: 42rem; }
@media (min-width: 40rem) { .page { padding-top: 3rem; } }
.brand { display: flex; align-items: center; gap: 0.5rem; margin: 0 0 1rem 0.25rem; font-weight: 700; font-size: 1.0625rem; }
.brand-mark { width: 1.25rem; height: 1.25rem; border-radius: 6px; background: var(--accent); flex: none; }
.card { background: var(--surface); border: 1px solid var(--border); border-radius: 14px; padding: 1.5rem; }
.foot { margin-top: 1.25rem; text-align: center; color: var(--muted); font-size: 0.8125rem; }
h1 { font-size: 1.5rem; line-height: 1.25; margin: 0 0 0.5rem; }
h2 { font-size: 1.0625rem; margin: 1.5rem 0 0.625rem; }
h3 { font-size: 1rem; margin: 0; }
p { margin: 0 0 0.75rem; }
a { color: var(--accent); }
a:hover { color: var(--accent-hover); }
strong { font-weight: 650; }
.lead { font-size: 1.0625rem; }
.muted { color: var(--muted); }
.small { font-size: 0.875rem; }
.mono, code { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, "Liberation Mono", monospace; font-size: 0.8125rem; }
.break { overflow-wrap: anywhere; word-break: break-word; }
.eyebrow { text-transform: uppercase; letter-spacing: 0.06em; font-size: 0.75rem; font-weight: 700; color: var(--muted); margin-bottom: 0.5rem; }
.eyebrow-error { color: var(--danger); }
.client { display: flex; align-items: center; gap: 0.875rem; margin: 0 0 0.75rem; min-width: 0; }
.client-text { min-width: 0; }
.client-logo { width: 48px; height: 48px; border-radius: 10px; object-fit: cover; flex: none; border: 1px solid var(--border); }
.client-host { margin: 0; font-weight: 750; line-height: 1.2; overflow-wrap: anywhere; word-break: break-word; }
.client-large .client-host { font-size: 1.75rem; }
.client-small .client-host { font-size: 1.25rem; }
.client-name { margin: 0.125rem 0 0; color: var(--muted); overflow-wrap: anywhere; word-break: break-word; }
.claimed { color: var(--text); font-weight: 600; }
.box { border-radius: var(--radius); border-left: 4px solid; padding: 0.75rem 1rem; margin: 1rem 0; overflow-wrap: anywhere; }
.box p { margin: 0; }
.box p + p { margin-top: 0.375rem; }
.box-title { font-weight: 700; }
.box-error { background: var(--danger-bg); border-color: var(--danger); color: var(--text); }
.box-notice { background: var(--notice-bg); border-color: var(--notice-border); color: var(--notice-text); }
.box-warning { background: var(--warning-bg); border-color: var(--warning-border); color: var(--warning-text); }
.scopes { list-style: none; padding: 0; margin: 0 0 1rem; }
.scopes li { position: relative; border: 1px solid var(--border); border-radius: var(--radius); padding: 0.625rem 0.75rem 0.625rem 2.25rem; margin-bottom: 0.5rem; overflow-wrap: anywhere; }
.scopes li::before { content: ""; position: absolute; left: 0.875rem; top: 1.0625rem; width: 0.5rem; height: 0.5rem; border-radius: 50%; background: var(--accent); }
.scope-text { display: block; font-weight: 550; }
.scope-id { display: block; color: var(--muted); margin-top: 0.125rem; }
.scopes-compact li { border: 0; border-radius: 0; padding: 0.25rem 0 0.25rem 1.25rem; margin: 0; }
.scopes-compact li::before { left: 0.25rem; top: 0.75rem; width: 0.375rem; height: 0.375rem; }
.scopes-compact .scope-text { font-weight: 400; }
.facts { display: grid; grid-template-columns: max-content minmax(0, 1fr); gap: 0.375rem 1rem; margin: 1rem 0; font-size: 0.9375rem; }
.facts dt { color: var(--muted); }
.facts dd { margin: 0; min-width: 0; overflow-wrap: anywhere; }
@media (max-width: 26rem) {
  .card { padding: 1.25rem 1rem; }
  .facts { grid-template-columns: minmax(0, 1fr); gap: 0; }
  .facts dd { margin-bottom: 0.5rem; }
  .client-large .client-host { font-size: 1.5rem; }
}
.form { margin: 1.25rem 0 1rem; }
.field { margin-bottom: 1rem; }
.field label { display: block; font-weight: 600; margin-bottom: 0.375rem; }
.optional, .hint { font-weight: 400; color: var(--muted); }
.hint { font-size: 0.875rem; margin: 0.375rem 0 0; }
input[type="text"], input[type="password"] {
  display: block; width: 100%; min-height: 2.75rem; padding: 0.625rem 0.75rem;
  font: inherit; color: var(--text); background: var(--surface);
  border: 1px solid var(--muted); border-radius: 8px;
}
input[type="text"]:focus, input[type="password"]:focus { border-color: var(--accent); }
.check { display: flex; align-items: center; gap: 0.625rem; min-height: 2.75rem; }
.check input { width: 1.25rem; height: 1.25rem; margin: 0; flex: none; accent-color: var(--accent); }
.check label { padding: 0.5rem 0; cursor: pointer; }
.actions { display: flex; flex-wrap: wrap; gap: 0.75rem; margin-top: 1rem; }
.button {
  display: inline-flex; align-items: center; justify-content: center; flex: 1 1 8rem;
  min-height: 3rem; padding: 0.75rem 1.25rem; border-radius: 8px; border: 1px solid transparent;
  font: inherit; font-weight: 650; text-align: center; text-decoration: none; cursor: pointer;
}
.button-primary { background: var(--accent); color: var(--on-accent); }
.button-primary:hover { background: var(--accent-hover); color: var(--on-accent); }
.button-secondary { background: var(--surface); color: var(--text); border-color: var(--muted); }
.button-secondary:hover { background: var(--bg); }
.button-danger { background: var(--surface); color: var(--danger); border-color: var(--danger); }
.button-danger:hover { background: var(--danger-bg); }
.button-wide { flex-basis: 100%; }
.form-inline { margin: 0.75rem 0 0; }
.form-inline .button { flex: none; min-height: 2.75rem; }
.signout { margin-top: 1.5rem; padding-top: 1rem; border-top: 1px solid var(--border); }
:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
input:focus-visible { outline-offset: 1px; }
.apps { list-style: none; padding: 0; margin: 0; }
.app { border: 1px solid var(--border); border-radius: var(--radius); padding: 1rem; margin-bottom: 1rem; }
.app .facts { margin: 0.75rem 0 0; }
.empty { border: 1px dashed var(--border); border-radius: var(--radius); padding: 1rem; color: var(--muted); }
.detail { margin: 1rem 0; }
.detail summary { cursor: pointer; padding: 0.625rem 0; font-weight: 600; }
.detail p { margin: 0.5rem 0 0; }
.visually-hidden {
  position: absolute; width: 1px; height: 1px; padding: 0; margin: -1px;
  overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; border: 0;
}
`
