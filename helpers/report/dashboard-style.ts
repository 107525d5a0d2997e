/** The dashboard's only stylesheet, inlined: the page must open from disk with the network closed. */
export const DASHBOARD_CSS = `
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --bg:#f6f8fa; --pass:#1a7f37; --pass-bg:#dafbe1; --fail:#cf222e; --fail-bg:#ffebe9; --skip:#8c959f; --warn:#9a6700; --warn-bg:#fff8c5; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "DejaVu Sans", "Liberation Sans", sans-serif; color: var(--fg); background: #fff; }
header { padding: 18px 32px 12px; border-bottom: 1px solid var(--line); background: var(--bg); }
header h1 { margin: 0; font-size: 22px; }
header p { margin: 4px 0 0; color: var(--muted); }
nav { margin-top: 10px; display: flex; gap: 16px; flex-wrap: wrap; }
nav a { color: var(--accent); text-decoration: none; font-weight: 500; }
main { padding: 8px 32px 40px; max-width: 1320px; }
section { margin-top: 28px; }
h2 { font-size: 18px; margin: 0 0 10px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
h3 { font-size: 15px; margin: 16px 0 8px; }
h4 { font-size: 13px; margin: 12px 0 6px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
h4 .muted { text-transform: none; letter-spacing: 0; font-weight: 400; }
code, pre, .mono { font-family: "DejaVu Sans Mono", "Liberation Mono", Menlo, Consolas, monospace; font-size: 12.5px; }
.muted { color: var(--muted); }
.nowrap { white-space: nowrap; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(190px, 1fr)); gap: 10px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 12px; background: #fff; }
.card .k { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .v { font-size: 17px; font-weight: 600; margin-top: 2px; overflow-wrap: anywhere; }
.card.verdict-passed { border-color: var(--pass); background: var(--pass-bg); }
.card.verdict-failed { border-color: var(--fail); background: var(--fail-bg); }
.card.verdict-interrupted { border-color: var(--warn); background: var(--warn-bg); }
.n-pass { color: var(--pass); } .n-fail { color: var(--fail); } .n-skip { color: var(--skip); }
table { border-collapse: collapse; }
table.data { width: 100%; }
table.data th, table.data td { border-bottom: 1px solid var(--line); padding: 5px 8px; text-align: left; vertical-align: top; }
table.data th { background: var(--bg); font-weight: 600; font-size: 12.5px; }
table.data td.num, table.data th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
table.matrix { margin-bottom: 6px; }
table.matrix th, table.matrix td { border: 1px solid var(--line); }
table.matrix th.row { text-align: left; padding: 3px 10px 3px 8px; font-weight: 500; white-space: nowrap; background: #fff; }
table.matrix th.row .plat { color: var(--muted); font-weight: 400; font-size: 12px; }
table.matrix th.col { vertical-align: bottom; padding: 6px 0 8px; background: var(--bg); width: 30px; }
table.matrix th.col span { writing-mode: vertical-rl; transform: rotate(180deg); white-space: nowrap; font-weight: 500; font-size: 12px; }
table.matrix td.c { width: 30px; height: 26px; text-align: center; font-weight: 700; }
table.matrix td.pass { color: var(--pass); background: var(--pass-bg); }
table.matrix td.fail { background: var(--fail); }
table.matrix td.fail a { color: #fff; text-decoration: none; display: block; }
table.matrix td.skip { color: var(--skip); background: var(--bg); }
table.matrix td.none { background: repeating-linear-gradient(45deg, #fff, #fff 4px, var(--bg) 4px, var(--bg) 8px); }
table.matrix td.tot { padding: 0 8px; white-space: nowrap; font-variant-numeric: tabular-nums; }
.legend-line { color: var(--muted); font-size: 12.5px; margin: 4px 0 8px; }
.legend-line b { display: inline-block; width: 18px; text-align: center; border-radius: 3px; margin-right: 3px; }
details.tag { border: 1px solid var(--line); border-radius: 8px; padding: 6px 12px; margin: 10px 0; }
details.tag > summary { cursor: pointer; font-weight: 600; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; }
.badge.fail { background: var(--fail-bg); color: var(--fail); } .badge.pass { background: var(--pass-bg); color: var(--pass); } .badge.warn { background: var(--warn-bg); color: var(--warn); }
.charts { display: grid; grid-template-columns: repeat(auto-fill, minmax(560px, 1fr)); gap: 14px; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 8px 10px; }
figcaption { font-weight: 600; margin-bottom: 4px; }
svg.chart { max-width: 100%; height: auto; font-family: inherit; }
svg.chart .grid { stroke: #eaeef2; } svg.chart .axis { stroke: #8c959f; }
svg.chart .tick { font-size: 11px; fill: #59636e; } svg.chart .legend { font-size: 12px; fill: #1f2328; }
svg.chart .axis-label { font-size: 12px; fill: #1f2328; }
.findings td:first-child { white-space: nowrap; }
article.failure { border: 1px solid var(--line); border-left: 4px solid var(--fail); border-radius: 6px; padding: 8px 12px; margin: 10px 0; }
article.failure h4 { margin: 0 0 4px; color: var(--fg); text-transform: none; letter-spacing: 0; font-size: 14px; }
article.failure:target { box-shadow: 0 0 0 3px #fdd; }
pre { background: var(--bg); border: 1px solid var(--line); border-radius: 6px; padding: 8px 10px; white-space: pre-wrap; overflow-wrap: anywhere; margin: 6px 0; max-height: 420px; overflow: auto; }
.ok-note { padding: 8px 12px; border-radius: 6px; background: var(--pass-bg); color: var(--pass); font-weight: 600; }
.problems { padding: 8px 12px; border-radius: 6px; background: var(--warn-bg); }
`;
