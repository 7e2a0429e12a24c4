// The stylesheet of the worker's HTML pages (/docs, /console), served as /assets/faxbot.css: no
// inline styles anywhere, so the pages run under `style-src 'self'`. Readable at 200% zoom (relative
// units, wrapping tables), visible keyboard focus, system fonts only (no third-party origin).
export const pageStyle = String.raw`
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #fff; --muted: #57606a; --line: #d0d7de; --accent: #0b5cad; --ok: #1a7f37; --bad: #c62828; --code: #f6f8fa; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --line: #30363d; --accent: #58a6ff; --ok: #3fb950; --bad: #ff7b72; --code: #161b22; } }
* { box-sizing: border-box; }
body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
a { color: var(--accent); }
:focus-visible { outline: 3px solid var(--accent); outline-offset: 2px; }
header.top { display: flex; flex-wrap: wrap; gap: 1rem; align-items: center; padding: .75rem 1.25rem; border-bottom: 1px solid var(--line); }
header.top .brand { font-weight: 700; font-size: 1.15rem; margin-right: auto; }
nav.tabs { display: flex; flex-wrap: wrap; gap: .25rem .75rem; }
nav.tabs a[aria-current="page"] { font-weight: 700; text-decoration: none; border-bottom: 3px solid var(--accent); }
main { padding: 1rem 1.25rem 3rem; max-width: 80rem; }
h1 { font-size: 1.6rem; margin: .5rem 0 1rem; } h2 { font-size: 1.25rem; margin-top: 2rem; } h3 { font-size: 1.05rem; }
table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; display: block; overflow-x: auto; }
th, td { text-align: left; padding: .35rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; overflow-wrap: anywhere; }
th { font-weight: 600; }
code, pre, .mono { font-family: ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; font-size: .9em; }
pre { background: var(--code); padding: .75rem; overflow-x: auto; white-space: pre-wrap; overflow-wrap: anywhere; border-radius: 4px; }
details.op { border: 1px solid var(--line); border-radius: 6px; margin: .5rem 0; }
details.op > summary { cursor: pointer; padding: .5rem .75rem; display: flex; flex-wrap: wrap; gap: .5rem; align-items: baseline; }
details.op > div { padding: 0 .75rem .75rem; }
.method { font-weight: 700; text-transform: uppercase; min-width: 4.5rem; display: inline-block; }
.m-get { color: var(--ok); } .m-post { color: var(--accent); } .m-delete { color: var(--bad); } .m-put, .m-patch { color: #9a6700; }
.muted { color: var(--muted); }
.ok { color: var(--ok); } .bad { color: var(--bad); }
form.stack, fieldset { display: grid; gap: .6rem; max-width: 40rem; }
fieldset { border: 1px solid var(--line); border-radius: 6px; padding: .75rem; }
label { display: grid; gap: .2rem; font-weight: 600; }
label.inline { display: flex; gap: .4rem; align-items: center; font-weight: 400; }
input, select, textarea, button { font: inherit; color: inherit; }
input[type=text], input[type=password], input[type=search], input[type=datetime-local], input:not([type]), select, textarea { padding: .4rem .5rem; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); width: 100%; }
textarea { min-height: 6rem; }
button, .button { display: inline-block; padding: .45rem .9rem; border-radius: 4px; border: 1px solid var(--accent); background: var(--accent); color: #fff; cursor: pointer; text-decoration: none; }
button.secondary, .button.secondary { background: transparent; color: var(--accent); }
button.danger { background: var(--bad); border-color: var(--bad); }
.actions { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
.notice { border-left: 4px solid var(--accent); background: var(--code); padding: .6rem .9rem; margin: 1rem 0; }
.notice.error { border-color: var(--bad); } .notice.success { border-color: var(--ok); }
.secret { font-family: ui-monospace, monospace; padding: .5rem; background: var(--code); border: 1px dashed var(--line); overflow-wrap: anywhere; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 999px; border: 1px solid var(--line); font-size: .85em; }
.badge.online, .badge.success { border-color: var(--ok); color: var(--ok); } .badge.offline, .badge.failed { border-color: var(--bad); color: var(--bad); }
iframe.pdf { width: 100%; height: 70vh; border: 1px solid var(--line); }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip: rect(0 0 0 0); white-space: nowrap; }
.skip { position: absolute; left: -999px; } .skip:focus { left: 1rem; top: 1rem; background: var(--bg); padding: .5rem; }
`;
