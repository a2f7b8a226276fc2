import Hummingbird

/// The console's style sheet and its one script, written by hand and served from memory (no
/// build step, no third-party code). The script only reads the page and same-origin JSON: it
/// refreshes `data-count` numbers from the URL in `data-counts-url` every few seconds, and
/// checks the editor's YAML as you type (errors at line:column, each a link that moves the caret
/// there). Pages work without it.
enum ConsoleAssets {
    static func response(_ text: String, type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: "\(type); charset=utf-8", .cacheControl: "public, max-age=300",
                .xContentTypeOptions: "nosniff",
            ],
            body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    static let script = #"""
        "use strict";
        (function () {
          var csrf = document.querySelector('meta[name="csrf-token"]');
          var token = csrf ? csrf.getAttribute("content") : "";

          var live = document.querySelector("[data-counts-url]");
          if (live) {
            var url = live.getAttribute("data-counts-url");
            var stamp = live.querySelector("[data-updated]");
            var refresh = function () {
              fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
                .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
                .then(function (data) {
                  live.querySelectorAll("[data-count]").forEach(function (el) {
                    var value = String(data.counts[el.getAttribute("data-count")] || 0);
                    if (el.textContent !== value) el.textContent = value;
                  });
                  live.querySelectorAll("[data-reasons]").forEach(function (el) {
                    el.textContent = data.reasons[el.getAttribute("data-reasons")] || "";
                  });
                  if (stamp) stamp.textContent = "Updated " + new Date().toLocaleTimeString() + ".";
                })
                .catch(function () { if (stamp) stamp.textContent = "Could not refresh; retrying."; });
            };
            setInterval(refresh, 3000);
          }

          var editor = document.querySelector("textarea[data-check-url]");
          var errors = document.getElementById("errors");
          if (editor && errors) {
            var timer = null;
            var seq = 0;
            var show = function (data) {
              errors.textContent = "";
              if (data.valid) {
                var ok = document.createElement("p");
                ok.className = "ok";
                ok.textContent = "No errors: version " + data.version + " is ready to deploy.";
                errors.appendChild(ok);
                return;
              }
              var head = document.createElement("p");
              head.className = "error";
              head.textContent = data.errors.length === 1 ? "1 error" : data.errors.length + " errors";
              var list = document.createElement("ul");
              list.className = "errors";
              data.errors.forEach(function (e) {
                var item = document.createElement("li");
                var link = document.createElement("a");
                link.href = "#yaml";
                link.setAttribute("data-line", e.line);
                link.setAttribute("data-column", e.column);
                link.textContent = "line " + e.line + ", column " + e.column;
                item.appendChild(link);
                item.appendChild(document.createTextNode(": " + e.message + " (" + e.code + ")"));
                list.appendChild(item);
              });
              errors.appendChild(head);
              errors.appendChild(list);
            };
            var check = function () {
              var mine = ++seq;
              fetch(editor.getAttribute("data-check-url"), {
                method: "POST", credentials: "same-origin", body: editor.value,
                headers: { "Content-Type": "application/yaml", "X-CSRF-Token": token, Accept: "application/json" }
              })
                .then(function (r) { if (!r.ok) throw new Error(r.status); return r.json(); })
                .then(function (data) { if (mine === seq) show(data); })
                .catch(function () {});
            };
            editor.addEventListener("input", function () {
              clearTimeout(timer);
              timer = setTimeout(check, 400);
            });
            errors.addEventListener("click", function (event) {
              var link = event.target.closest("a[data-line]");
              if (!link) return;
              event.preventDefault();
              var line = Number(link.getAttribute("data-line"));
              var column = Number(link.getAttribute("data-column"));
              var lines = editor.value.split("\n");
              var offset = 0;
              for (var i = 0; i < line - 1 && i < lines.length; i++) offset += lines[i].length + 1;
              offset += Math.max(0, column - 1);
              editor.focus();
              editor.setSelectionRange(offset, offset);
            });
          }
        })();
        """#

    static let css = #"""
        :root { --ink: #1d2430; --muted: #5b6473; --line: #d5dae1; --bg: #f6f7f9; --card: #fff;
          --accent: #1f5fbf; --ok: #17713a; --bad: #b3261e; --warn: #8a5a00; font-size: 16px; }
        * { box-sizing: border-box; }
        body { margin: 0; font: 1rem/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
          color: var(--ink); background: var(--bg); }
        a { color: var(--accent); }
        :focus-visible { outline: 3px solid #f0a500; outline-offset: 2px; }
        .skip { position: absolute; left: -999px; top: 0; background: #fff; padding: .5rem; }
        .skip:focus { left: .5rem; }
        .top { display: flex; flex-wrap: wrap; gap: .5rem 1.5rem; align-items: center; padding: .5rem 1rem;
          background: var(--ink); color: #fff; }
        .top a { color: #fff; }
        .brand { font-weight: 700; text-decoration: none; font-size: 1.1rem; }
        .top nav { display: flex; flex-wrap: wrap; gap: .25rem 1rem; flex: 1; }
        .who { display: flex; gap: .5rem; align-items: center; margin: 0; }
        .role { font-size: .8rem; border: 1px solid #fff8; border-radius: 1rem; padding: 0 .5rem; }
        main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
        h1 { font-size: 1.5rem; margin: .5rem 0; } h2 { font-size: 1.2rem; margin: 1.5rem 0 .5rem; }
        .muted { color: var(--muted); font-weight: normal; font-size: .9rem; }
        .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px; padding: 1rem; }
        .narrow { max-width: 28rem; }
        label { display: block; font-weight: 600; margin-bottom: .25rem; }
        input[type=password], input[type=text], textarea { width: 100%; font: inherit; padding: .5rem;
          border: 1px solid #8a93a3; border-radius: 6px; background: #fff; color: var(--ink); }
        textarea { font: .9rem/1.45 ui-monospace, "DejaVu Sans Mono", monospace; min-height: 20rem; tab-size: 2; }
        button, .button { display: inline-block; font: inherit; padding: .4rem .9rem; border-radius: 6px;
          border: 1px solid #8a93a3; background: #fff; color: var(--ink); cursor: pointer; text-decoration: none; }
        button.primary { background: var(--accent); border-color: var(--accent); color: #fff; }
        button.danger, .button.danger { color: var(--bad); border-color: var(--bad); }
        .search input[type=text] { flex: 1; min-width: 12rem; width: auto; }
        textarea.short { min-height: 6rem; }
        select { font: inherit; padding: .4rem; border: 1px solid #8a93a3; border-radius: 6px; background: #fff;
          max-width: 100%; }
        label.check, label.inline-label { display: inline; font-weight: 600; }
        #horizon { width: 5rem; }
        tr.effect-send td:nth-child(4) { color: var(--ok); font-weight: 600; }
        tr.effect-suppress td:nth-child(4), tr.effect-defer td:nth-child(4) { color: var(--warn); font-weight: 600; }
        ol.history { margin: 0; padding-left: 1.1rem; font-size: .85rem; }
        td code { font-size: .85rem; word-break: break-word; }
        .top button { background: transparent; color: #fff; border-color: #fff8; padding: .2rem .6rem; }
        .actions { display: flex; flex-wrap: wrap; gap: .5rem; margin: .75rem 0; align-items: center; }
        form.inline { display: inline; margin: 0; }
        .help { color: var(--muted); font-size: .9rem; }
        .error { color: var(--bad); font-weight: 600; } .ok { color: var(--ok); font-weight: 600; }
        .notice { background: #e8f1fd; border: 1px solid #b7cff3; padding: .5rem .75rem; border-radius: 6px; }
        ul.errors { margin: .25rem 0; padding-left: 1.25rem; font-family: ui-monospace, monospace; font-size: .9rem; }
        .scroll { overflow-x: auto; }
        table { border-collapse: collapse; width: 100%; background: var(--card); }
        caption { text-align: left; color: var(--muted); padding: .25rem 0; }
        th, td { text-align: left; padding: .4rem .6rem; border-bottom: 1px solid var(--line); vertical-align: top; }
        td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .reasons { font-size: .85rem; color: var(--muted); }
        .facts { display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: center; }
        .status { border-radius: 1rem; padding: 0 .6rem; font-size: .85rem; border: 1px solid; }
        .status-active { color: var(--ok); } .status-paused { color: var(--warn); }
        .status-archived, .status-draft { color: var(--muted); }
        .lock { display: flex; flex-wrap: wrap; gap: .5rem; align-items: center; }
        .lock p { margin: 0; } .lock.other p { color: var(--warn); }
        .graph-box { background: var(--card); border: 1px solid var(--line); border-radius: 8px; }
        svg.graph { max-width: 100%; height: auto; display: block; margin: 0 auto; }
        svg text { font: 12px system-ui, sans-serif; fill: var(--ink); }
        .node rect { fill: #fff; stroke: #8a93a3; stroke-width: 1.5; }
        .node.trigger rect { fill: #eef4ff; stroke: var(--accent); }
        .node.goal rect { fill: #eefaf1; stroke: var(--ok); stroke-dasharray: 5 3; }
        .node.exit rect { fill: #fdf0ef; stroke: var(--bad); stroke-dasharray: 5 3; }
        .node.kind-send rect { stroke: var(--accent); }
        .node .kind { font-size: 10px; fill: var(--muted); letter-spacing: .05em; }
        .node .id { font-weight: 700; font-size: 13px; }
        .node .detail { fill: var(--muted); }
        .node .figures { font-size: 11px; } .node .count { font-weight: 700; }
        .edge { fill: none; stroke: #6b7584; stroke-width: 1.5; } .edge.back { stroke-dasharray: 4 3; }
        .arrowhead { fill: #6b7584; } .edge-label { font-size: 11px; fill: var(--muted); }
        svg.hours { max-width: 100%; height: auto; } .bar-sent { fill: var(--accent); } .bar-converted { fill: var(--ok); }
        svg.hours .axis { fill: var(--muted); font-size: 10px; }
        .legend .key { display: inline-block; width: .8rem; height: .8rem; vertical-align: middle; margin-left: .5rem; }
        .key-sent { background: var(--accent); } .key-converted { background: var(--ok); }
        pre.diff { background: var(--card); border: 1px solid var(--line); padding: .5rem; overflow-x: auto;
          font-size: .85rem; line-height: 1.4; }
        pre.diff ins { background: #e3f6e8; text-decoration: none; display: block; }
        pre.diff del { background: #fbe5e3; text-decoration: none; display: block; }
        pre.diff .same { display: block; color: var(--muted); }
        @media (max-width: 40rem) {
          main { padding: .5rem; } th, td { padding: .3rem .4rem; } .top nav { flex: 1 1 100%; }
          table.counts { font-size: .85rem; }
        }
        """#
}
