/// The report's only styles: readable on a laptop, a phone and paper; light or dark as the
/// reader's system prefers. Figures draw in `currentColor`, so they follow the text colour.
enum Stylesheet {
    static let css = """
:root { color-scheme: light dark; --fg: #1b1f24; --bg: #ffffff; --muted: #57606a; --rule: #d0d7de; --code-bg: #f4f6f8; --accent: #0b62b8; --error-bg: #fff1f0; --error-rule: #cf222e; --note-bg: #f6f8fa; }
@media (prefers-color-scheme: dark) {
  :root { --fg: #e6edf3; --bg: #0d1117; --muted: #9da7b3; --rule: #30363d; --code-bg: #161b22; --accent: #58a6ff; --error-bg: #2d1214; --error-rule: #f85149; --note-bg: #161b22; }
}
* { box-sizing: border-box; }
html { font-size: 17px; }
body { margin: 0 auto; max-width: 46rem; padding: 1.5rem 1.1rem 3rem; color: var(--fg); background: var(--bg);
  font-family: Charter, "Bitstream Charter", "Sitka Text", Cambria, Georgia, serif; line-height: 1.55; }
h1, h2, h3, h4, .meta, nav, figcaption, table, details summary, footer { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
h1 { font-size: 1.9rem; line-height: 1.2; margin: 1.6rem 0 0.6rem; }
h1.title { margin-top: 0.5rem; }
h2 { font-size: 1.4rem; margin: 1.8rem 0 0.5rem; }
h3 { font-size: 1.15rem; margin: 1.4rem 0 0.4rem; }
a { color: var(--accent); }
.meta, .author { color: var(--muted); font-size: 0.85rem; margin: 0.2rem 0; }
code, pre { font-family: ui-monospace, "SFMono-Regular", "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: 0.85em; }
code { background: var(--code-bg); padding: 0.1em 0.3em; border-radius: 4px; }
pre { background: var(--code-bg); padding: 0.8rem 1rem; overflow-x: auto; border-radius: 6px; line-height: 1.4; }
pre code { background: none; padding: 0; }
nav.toc { border: 1px solid var(--rule); border-radius: 6px; padding: 0.4rem 1rem 0.6rem; margin: 1rem 0 1.5rem; font-size: 0.9rem; }
nav.toc h2 { font-size: 1rem; margin: 0.3rem 0; }
nav.toc ul { list-style: none; margin: 0; padding: 0; }
nav.toc .toc-2 { padding-left: 1rem; }
nav.toc .toc-3 { padding-left: 2rem; }
.block { margin: 1rem 0 1.4rem; }
figure { margin: 1.2rem 0; }
figure svg { display: block; max-width: 100%; height: auto; margin: 0 auto; }
figcaption { font-size: 0.88rem; color: var(--muted); margin-top: 0.4rem; text-align: center; }
.figure-number { font-weight: 600; color: var(--fg); }
.table-wrap { overflow-x: auto; }
table { border-collapse: collapse; margin: 0.6rem 0; font-size: 0.88rem; font-variant-numeric: tabular-nums; }
th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.7rem; text-align: left; }
th { font-weight: 600; }
.num { text-align: right; }
.table-caption { font-family: system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; font-size: 0.88rem; color: var(--muted); margin: 0.8rem 0 0.2rem; }
.result { font-variant-numeric: tabular-nums; border-bottom: 1px dotted var(--muted); }
.result.missing { color: var(--error-rule); }
details.spec { margin: 0.4rem 0; font-size: 0.85rem; }
details.spec summary { cursor: pointer; color: var(--muted); }
.error-box { border-left: 4px solid var(--error-rule); background: var(--error-bg); padding: 0.5rem 1rem; border-radius: 4px; }
.error-box pre { background: none; padding: 0.2rem 0; white-space: pre-wrap; }
.not-run { border-left: 4px solid var(--rule); background: var(--note-bg); padding: 0.3rem 1rem; color: var(--muted); border-radius: 4px; }
.template { border-left: 4px solid var(--rule); padding: 0.3rem 1rem; color: var(--muted); }
footer.provenance { margin-top: 3rem; border-top: 1px solid var(--rule); font-size: 0.8rem; color: var(--muted); }
footer.provenance h2 { font-size: 1rem; }
footer dl { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
footer dt { font-weight: 600; }
footer dd { margin: 0; }
@media (max-width: 600px) { html { font-size: 16px; } body { padding: 1rem 0.8rem 2rem; } }
@media print {
  :root { --fg: #000; --bg: #fff; --muted: #333; --code-bg: #f3f3f3; }
  body { max-width: none; padding: 0; font-size: 11pt; }
  nav.toc, details.spec { display: none; }
  figure, table, .error-box { break-inside: avoid; }
  a { color: inherit; text-decoration: none; }
}

"""
}
