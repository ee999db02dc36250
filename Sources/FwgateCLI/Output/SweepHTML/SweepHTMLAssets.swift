import FirmwareCrypto
import Foundation

/// The page's inline style sheet, sorting script and Content-Security-Policy.
extension SweepHTMLRenderer {
    // MARK: - Inline style, script and policy

    /// Allows the inline style sheet and exactly this page's script (by hash); nothing is fetched.
    static var contentSecurityPolicy: String {
        let script: String
        if let digest = try? Digest.hash(Data(sortScript.utf8), using: .sha256) {
            script = "'sha256-\(digest.bytes.base64EncodedString())'"
        } else {
            script = "'none'"  // The table keeps its default order.
        }
        return "default-src 'none'; style-src 'unsafe-inline'; script-src \(script); base-uri 'none'; form-action 'none'"
    }

    static let styleSheet = """

        :root { --expired: #b00020; --critical: #d35400; --warning: #b7950b; --ok: #2e7d32;
          --ink: #1b1f24; --muted: #5f6368; --line: #d9dce0; --head: #f1f2f4; }
        * { box-sizing: border-box; }
        html { -webkit-text-size-adjust: 100%; }
        body { margin: 0; color: var(--ink); background: #fff;
          font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, "Noto Sans", "DejaVu Sans", sans-serif; }
        main { max-width: 1400px; margin: 0 auto; padding: 24px 28px 32px; }
        h1 { font-size: 1.55rem; margin: 0 0 2px; }
        h2 { font-size: 1.15rem; margin: 0 0 8px; padding-bottom: 4px; border-bottom: 1px solid var(--line); }
        section { margin-top: 26px; }
        .meta, .hint, .caption, .legend, footer, .muted { color: var(--muted); }
        .meta { margin: 0 0 10px; }
        .hint, .caption { margin: 4px 0 10px; font-size: .875rem; }
        .badges { display: flex; flex-wrap: wrap; gap: 8px; margin: 10px 0; }
        .badge { display: inline-flex; align-items: baseline; gap: 6px; padding: 4px 14px; border-radius: 999px;
          color: #fff; font-weight: 600; }
        .badge b { font-size: 1.3rem; }
        .badge.zero { opacity: .4; }
        .expired { background: var(--expired); } .critical { background: var(--critical); }
        .warning { background: var(--warning); color: var(--ink); } .ok { background: var(--ok); }
        .unreadable { background: #5f6368; } .none { background: #e3e5e8; color: var(--ink); }
        .verdict { font-size: 1.05rem; margin: 8px 0; }
        .attention { font-weight: 700; color: var(--expired); }
        .legend { font-size: .875rem; margin: 6px 0 0; }
        .key { display: inline-block; width: .8em; height: .8em; border-radius: 2px; margin: 0 5px 0 14px;
          vertical-align: -1px; }
        .key.expired { margin-left: 0; }
        svg.timeline { display: block; width: 100%; height: auto; font-family: inherit; }
        svg.timeline .bar:hover rect[fill-opacity] { fill-opacity: .06; }
        table { width: 100%; border-collapse: collapse; font-size: .875rem; }
        th, td { padding: 6px 8px; text-align: left; vertical-align: top; border-bottom: 1px solid var(--line); }
        thead th { background: var(--head); white-space: nowrap; font-weight: 600; }
        th.sortable { cursor: pointer; user-select: none; }
        th.sortable:hover, th.sortable:focus { background: #e3e5e8; outline: none; }
        th[aria-sort="ascending"]::after { content: " \\25B2"; font-size: .7em; }
        th[aria-sort="descending"]::after { content: " \\25BC"; font-size: .7em; }
        .num { text-align: right; font-variant-numeric: tabular-nums; }
        td.days { font-weight: 700; white-space: nowrap; }
        tr.row-expired td.days { color: var(--expired); } tr.row-critical td.days { color: var(--critical); }
        tr.row-expired td:first-child { box-shadow: inset 4px 0 var(--expired); }
        tr.row-critical td:first-child { box-shadow: inset 4px 0 var(--critical); }
        tr.row-warning td:first-child { box-shadow: inset 4px 0 var(--warning); }
        tbody tr:hover { background: #f8f9fa; }
        td time { white-space: nowrap; }
        .pill { display: inline-block; padding: 1px 9px; border-radius: 999px; color: #fff; font-weight: 600;
          font-size: .8rem; }
        .pill.warning, .pill.none { color: var(--ink); }
        code, .place { font-family: ui-monospace, "DejaVu Sans Mono", Menlo, Consolas, monospace; font-size: .8rem; }
        code { overflow-wrap: anywhere; }
        .wrap { overflow-wrap: anywhere; min-width: 9em; }
        td.where { min-width: 17em; }
        .loc + .loc { margin-top: 3px; }
        .kind { display: inline-block; min-width: 3.2em; padding: 0 5px; border-radius: 3px; background: #e8eaed;
          font-size: .75rem; text-align: center; }
        .device { color: var(--muted); white-space: nowrap; }
        .device::before { content: "device "; }
        .empty { font-style: italic; color: var(--muted); }
        footer { margin-top: 28px; font-size: .8rem; }
        @media print {
          @page { size: A4 landscape; margin: 12mm; }
          * { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
          body { font-size: 9.5pt; }
          main { max-width: none; padding: 0; }
          section.chart, tr { break-inside: avoid; }
          h2 { break-after: avoid; }
          tbody tr:hover { background: none; }
          th.sortable { cursor: auto; }
        }

        """

    /// Sorts every `table.sortable` by a clicked (or Enter/Space) heading: numbers by `data-v`,
    /// text by content; a second click reverses; ties keep the default order (`data-i`).
    static let sortScript = """

        (function () {
          function key(row, col, numeric) {
            var cell = row.cells[col], v = cell.getAttribute('data-v');
            if (v === null) v = cell.textContent;
            if (!numeric) return v.toLowerCase();
            return v === '' ? Infinity : Number(v);
          }
          var tables = document.querySelectorAll('table.sortable');
          for (var t = 0; t < tables.length; t++) (function (table) {
            var heads = table.tHead.rows[0].cells, body = table.tBodies[0];
            for (var c = 0; c < heads.length; c++) (function (th, col) {
              var type = th.getAttribute('data-type');
              if (!type) return;
              th.classList.add('sortable');
              th.tabIndex = 0;
              function sort() {
                var dir = th.getAttribute('aria-sort') === 'ascending' ? -1 : 1;
                var rows = Array.prototype.slice.call(body.rows);
                rows.sort(function (a, b) {
                  var x = key(a, col, type === 'num'), y = key(b, col, type === 'num');
                  return (x < y ? -1 : x > y ? 1 : 0) * dir || a.getAttribute('data-i') - b.getAttribute('data-i');
                });
                for (var i = 0; i < rows.length; i++) body.appendChild(rows[i]);
                for (var h = 0; h < heads.length; h++) heads[h].removeAttribute('aria-sort');
                th.setAttribute('aria-sort', dir > 0 ? 'ascending' : 'descending');
              }
              th.addEventListener('click', sort);
              th.addEventListener('keydown', function (e) {
                if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); sort(); }
              });
            })(heads[c], c);
          })(tables[t]);
        })();

        """
}
