"""Chart primitives every app draws with (SVG by hand, no JavaScript, no web fonts).

The charts themselves live with the app that owns their data: SPC charts and sparklines in
`governance.charts`, the QIPP cumulative chart in `finance.charts`."""
