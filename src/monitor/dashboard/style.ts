// The dashboard's stylesheet (page.ts inlines it).

export const DASHBOARD_CSS = `
:root { --bg: #f6f7fb; --card: #fff; --ink: #1d2330; --muted: #6b7385; --line: #e3e6ee;
  --in: #2f7de1; --out: #27a06b; --warn: #d9822b; --bad: #d64545; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 ui-sans-serif, system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
  background: var(--bg); color: var(--ink); }
header { display: flex; flex-wrap: wrap; align-items: baseline; gap: 6px 18px; padding: 14px 24px;
  background: #1d2330; color: #fff; }
header h1 { margin: 0; font-size: 20px; font-weight: 600; }
header .meta { color: #b8c0d4; font-size: 13px; }
header .meta b { color: #fff; font-weight: 500; }
#status { margin-left: auto; font-size: 13px; }
#status.live::before { content: "\\25CF "; color: #4cd08a; }
#status.stale::before { content: "\\25CF "; color: var(--bad); }
main { padding: 18px 24px 40px; display: grid; gap: 18px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(128px, 1fr)); gap: 12px; }
.card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card .k { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 12px; }
section { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; overflow-x: auto; }
section h2 { margin: 0 0 8px; font-size: 15px; font-weight: 600; }
section h2 small { color: var(--muted); font-weight: 400; }
canvas { width: 100%; height: 200px; display: block; }
.legend { font-size: 12px; color: var(--muted); }
.legend i { display: inline-block; width: 10px; height: 3px; margin: 0 4px 3px 10px; vertical-align: middle; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); white-space: nowrap; }
th { color: var(--muted); font-weight: 500; font-size: 12px; }
td.num, th.num { text-align: right; }
td.mono { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: 12px; color: #3b4357; }
tr.stalled td { color: var(--warn); }
tr.offline td { color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.pill { display: inline-block; padding: 0 6px; border-radius: 9px; font-size: 11px; background: #eef1f7; color: #3b4357; }
.pill.warn { background: #fdf0e2; color: var(--warn); }
footer { padding: 0 24px 24px; color: var(--muted); font-size: 12px; }
footer a { color: var(--muted); margin-right: 10px; }
`;
