import Crypto
import Foundation

/// The dashboard's stylesheet and script, served by the process itself (no CDN): hand-written,
/// a few kilobytes each. Light and dark themes follow the system; colours meet WCAG AA contrast
/// on both. The script only enhances: every page works without it.
enum Assets {
    struct Asset: Sendable {
        var contentType: String
        var body: String
        /// `"sha256-…"` of the body, for the ETag.
        var etag: String

        init(contentType: String, body: String) {
            self.contentType = contentType
            self.body = body
            etag = "\"" + SHA256.hash(data: Data(body.utf8)).prefix(12).map { String(format: "%02x", $0) }.joined() + "\""
        }
    }

    static let byPath: [String: Asset] = [
        "/assets/corgi.css": Asset(contentType: "text/css; charset=utf-8", body: css),
        "/assets/corgi.js": Asset(contentType: "text/javascript; charset=utf-8", body: script),
        "/assets/corgi.svg": Asset(contentType: "image/svg+xml", body: icon),
    ]

    /// The tab's icon: a corgi-coloured shield.
    static let icon = #"""
    <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><path fill="#bc4c00" d="M16 2 4 7v8c0 7.5 5.1 13.4 12 15 6.9-1.6 12-7.5 12-15V7z"/><path fill="#fff" d="M11 15l3.5 3.5L21 12l2 2-8.5 8.5L9 17z"/></svg>
    """#

    static let css = #"""
    :root{--bg:#fff;--fg:#1b1f24;--muted:#57606a;--line:#d0d7de;--panel:#f6f8fa;--link:#0550ae;--accent:#8a4b08;
    --critical:#a40e26;--high:#bc4c00;--medium:#7d4e00;--low:#0550ae;--info:#57606a;--ok:#116329;--bad:#a40e26;
    --new:#bc4c00;--fixed:#1a7f37;font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.5}
    @media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9da7b3;--line:#30363d;--panel:#161b22;--link:#79c0ff;
    --accent:#f0b72f;--critical:#ff7b72;--high:#ffa657;--medium:#e3b341;--low:#79c0ff;--info:#9da7b3;--ok:#56d364;--bad:#ff7b72;
    --new:#ffa657;--fixed:#56d364}}
    *{box-sizing:border-box}
    body{margin:0;background:var(--bg);color:var(--fg)}
    a{color:var(--link)}
    a:focus-visible,button:focus-visible,input:focus-visible,select:focus-visible,textarea:focus-visible,summary:focus-visible,main:focus-visible{outline:3px solid var(--accent);outline-offset:2px}
    .skip{position:absolute;left:-999px;top:0;background:var(--bg);padding:.5rem}
    .skip:focus{left:.5rem}
    .visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
    .top{display:flex;flex-wrap:wrap;align-items:center;gap:.5rem 1rem;padding:.5rem 1rem;border-bottom:1px solid var(--line);background:var(--panel)}
    .brand{font-weight:700;text-decoration:none;color:var(--fg)}
    .org{color:var(--muted)}
    .top nav ul{display:flex;flex-wrap:wrap;gap:.25rem .75rem;list-style:none;margin:0;padding:0}
    .top nav a{text-decoration:none;padding:.25rem 0}
    .top nav a[aria-current=page]{font-weight:700;text-decoration:underline}
    .signout{margin-left:auto;display:flex;gap:.5rem;align-items:center}
    .who{color:var(--muted)}
    main{max-width:1200px;margin:0 auto;padding:1rem}
    h1{font-size:1.6rem;margin:.5rem 0 1rem}
    h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
    table{border-collapse:collapse;width:100%;margin:.5rem 0}
    caption{text-align:left;color:var(--muted);padding:.25rem 0}
    th,td{text-align:left;padding:.4rem .5rem;border-bottom:1px solid var(--line);vertical-align:top}
    th{background:var(--panel)}
    code{font-family:ui-monospace,SFMono-Regular,Menlo,monospace;font-size:.9em;overflow-wrap:anywhere}
    .message{color:var(--muted)}
    ol.flow{margin:.25rem 0 0;padding-left:1.25rem;color:var(--muted);font-size:.9em}
    .cards{display:flex;flex-wrap:wrap;gap:.75rem;list-style:none;padding:0;margin:0}
    .card a{display:block;min-width:8rem;padding:.75rem 1rem;border:1px solid var(--line);border-radius:.5rem;text-decoration:none;color:var(--fg);background:var(--panel)}
    .card .count{display:block;font-size:1.8rem;font-weight:700}
    .sev-critical .count,.sev.sev-critical{color:var(--critical)}
    .sev-high .count,.sev.sev-high{color:var(--high)}
    .sev-medium .count,.sev.sev-medium{color:var(--medium)}
    .sev-low .count,.sev.sev-low{color:var(--low)}
    .sev-info .count,.sev.sev-info{color:var(--info)}
    .sev{font-weight:700}
    .pill{display:inline-block;padding:0 .5rem;border:1px solid var(--line);border-radius:1rem}
    .pill.reviewing{border-color:var(--accent);font-weight:600}
    .columns{display:grid;grid-template-columns:repeat(auto-fit,minmax(320px,1fr));gap:1rem}
    .chart{width:100%;height:auto;max-height:260px}
    .chart .grid{stroke:var(--line)}
    .chart .axis{fill:var(--muted);font-size:11px}
    .bar-new{fill:var(--new)}
    .bar-fixed{fill:var(--fixed)}
    form.filters,fieldset{display:flex;flex-wrap:wrap;gap:.5rem 1rem;align-items:flex-end;border:1px solid var(--line);border-radius:.5rem;padding:.75rem;margin:.5rem 0}
    fieldset.plain{display:block;border:0;padding:0;margin:0;min-width:0}
    form.policy{display:grid;gap:.75rem;max-width:48rem}
    label{display:flex;flex-direction:column;gap:.2rem}
    label.inline{flex-direction:row;align-items:center;gap:.5rem}
    input,select,textarea,button{font:inherit;color:var(--fg);background:var(--bg);border:1px solid var(--muted);border-radius:.3rem;padding:.35rem .5rem}
    button,.button{cursor:pointer;background:var(--panel);font-weight:600;text-decoration:none;display:inline-block;border:1px solid var(--muted);border-radius:.3rem;padding:.35rem .75rem;color:var(--fg)}
    button.danger{color:var(--bad);border-color:var(--bad)}
    .actions{list-style:none;padding:0;display:flex;gap:1rem;flex-wrap:wrap}
    .notice,.verdict{border:1px solid var(--line);border-left:6px solid var(--accent);padding:.5rem 1rem;background:var(--panel)}
    .verdict.ok{border-left-color:var(--ok)}
    .verdict.broken{border-left-color:var(--bad)}
    .secret{font-family:ui-monospace,monospace;width:100%}
    .facts{display:grid;grid-template-columns:max-content 1fr;gap:.25rem 1rem}
    .facts dt{font-weight:600}
    .facts dd{margin:0}
    .empty{color:var(--muted)}
    .hint{color:var(--muted)}
    .pager{margin:1rem 0}
    .bottom{max-width:1200px;margin:2rem auto;padding:0 1rem;color:var(--muted);font-size:.9rem}
    @media (max-width:640px){th,td{padding:.3rem}.signout{margin-left:0}table{display:block;overflow-x:auto}.facts{grid-template-columns:1fr}}
    """#

    static let script = #"""
    "use strict";
    // Progressive enhancement only: times in the reader's zone, numbers in their locale, "select
    // all" for bulk triage, and pages that refresh their data in place.
    (function () {
      function localise(root) {
        var dates = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
        root.querySelectorAll("time[datetime]").forEach(function (el) {
          var value = new Date(el.getAttribute("datetime"));
          if (!isNaN(value)) { el.textContent = dates.format(value); el.title = value.toISOString(); }
        });
        root.querySelectorAll("[data-number]").forEach(function (el) {
          var n = Number(el.getAttribute("data-number"));
          if (!isNaN(n)) { el.textContent = n.toLocaleString(); }
        });
        root.querySelectorAll("input.select-all").forEach(function (box) {
          box.addEventListener("change", function () {
            box.form.querySelectorAll("input[name=id]").forEach(function (item) { item.checked = box.checked; });
          });
        });
      }
      function refresh(main) {
        var every = 15000;
        var timer = setInterval(function () {
          if (document.hidden) { return; }
          var active = document.activeElement;
          if (active && active !== document.body && main.contains(active) && active.matches("input,select,textarea")) { return; }
          fetch(main.getAttribute("data-refresh"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
            .then(function (r) { if (!r.ok) { throw new Error(String(r.status)); } return r.text(); })
            .then(function (html) {
              var next = new DOMParser().parseFromString(html, "text/html").getElementById("main");
              if (next && next.innerHTML !== main.innerHTML) { main.innerHTML = next.innerHTML; localise(main); }
            })
            .catch(function () { clearInterval(timer); });
        }, every);
      }
      document.addEventListener("DOMContentLoaded", function () {
        localise(document);
        var main = document.getElementById("main");
        if (main && main.hasAttribute("data-refresh")) { refresh(main); }
      });
    })();
    """#
}
