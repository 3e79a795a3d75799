extension ViewPage {
    /// The page: markup, style and script; `/*DATA*/` becomes the JSON of `data()`.
    static let template = #"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8">
        <meta name="viewport" content="width=device-width, initial-scale=1">
        <title>charrnn view</title>
        <style>
        body { font-family: -apple-system, "Segoe UI", Helvetica, Arial, sans-serif; margin: 0; color: #222; }
        header { padding: 10px 16px; background: #f4f4f6; border-bottom: 1px solid #ddd; }
        header h1 { font-size: 18px; margin: 0 0 6px 0; }
        #totals table { border-collapse: collapse; font-size: 13px; }
        #totals td, #totals th { padding: 2px 10px 2px 0; text-align: left; }
        #totals td.num { text-align: right; font-variant-numeric: tabular-nums; }
        .note { font-size: 13px; color: #8a4b00; margin: 4px 0; }
        #controls { display: flex; flex-wrap: wrap; gap: 10px; align-items: center; padding: 8px 16px; font-size: 13px;
          border-bottom: 1px solid #ddd; position: sticky; top: 0; background: white; z-index: 2; }
        #legend { display: flex; align-items: center; gap: 6px; }
        #legend .bar { width: 160px; height: 12px; border: 1px solid #aaa; }
        main { display: flex; gap: 16px; padding: 12px 16px; align-items: flex-start; }
        #text { flex: 1 1 auto; font-family: Menlo, Consolas, "DejaVu Sans Mono", monospace; font-size: 13px;
          white-space: pre-wrap; word-break: break-all; line-height: 1.45; min-width: 0; }
        #text span { cursor: pointer; }
        #text span.oov { text-decoration: underline dotted #c00; color: #c00; }
        #text span.sel { outline: 2px solid #000; }
        aside { flex: 0 0 330px; position: sticky; top: 52px; max-height: calc(100vh - 70px); overflow: auto;
          font-size: 13px; }
        aside h2 { font-size: 14px; margin: 10px 0 4px 0; }
        #panel .model { margin-bottom: 8px; }
        #panel table { border-collapse: collapse; }
        #panel td { padding: 1px 8px 1px 0; font-variant-numeric: tabular-nums; }
        #panel code, #neurons code { background: #eee; padding: 0 3px; }
        #neurons { padding-left: 30px; margin: 0; }
        #neurons li { cursor: pointer; margin: 2px 0; }
        #neurons li:hover, #neurons li.on { background: #eef; }
        #saturation { display: flex; flex-wrap: wrap; gap: 12px; padding: 0 16px 24px 16px; }
        #saturation figure { margin: 0; font-size: 12px; }
        </style>
        </head>
        <body>
        <header>
        <h1>charrnn view</h1>
        <div id="totals"></div>
        <div id="notices"></div>
        </header>
        <div id="controls">
        <label>Colour by <select id="mode"></select></label>
        <span id="unitpick">model <select id="umodel"></select> layer <select id="ulayer"></select>
        unit <select id="ukind"></select> <input id="uindex" type="number" min="0" value="0" style="width:5em"></span>
        <span id="legend"></span>
        </div>
        <main>
        <div id="text"></div>
        <aside>
        <h2>Predictions</h2>
        <div id="panel">Hover over or tap a character.</div>
        <h2>Units that track the text</h2>
        <ol id="neurons"></ol>
        </aside>
        </main>
        <h2 style="font-size:15px;padding:0 16px">Gate saturation</h2>
        <p style="font-size:13px;padding:0 16px;margin:0 0 6px 0">Each dot is one unit: the fraction of characters
        at which its gate was right-saturated (&gt; 0.9, x) and left-saturated (&lt; 0.1, y), per layer.</p>
        <div id="saturation"></div>
        <script type="application/json" id="data">/*DATA*/</script>
        <script>
        "use strict";
        const D = JSON.parse(document.getElementById("data").textContent);
        function bytes(b64) { const s = atob(b64), u = new Uint8Array(s.length);
          for (let i = 0; i < s.length; i++) u[i] = s.charCodeAt(i); return u; }
        const chars = Array.from(D.text);
        const M = D.models.map(m => {
          const w = bytes(m.windowLo), h = bytes(m.windowHi);
          return Object.assign({}, m, { loss: new Float32Array(bytes(m.loss).buffer),
            topIds: new Int32Array(bytes(m.topIds).buffer), topP: new Uint16Array(bytes(m.topProbabilities).buffer),
            win: bytes(m.windowValues), winLo: new Float32Array(w.buffer), winHi: new Float32Array(h.buffer),
            trackers: m.trackers.map(t => Object.assign({}, t, { q: bytes(t.values) })) });
        });
        const LN2 = Math.log(2);
        const fmt = (x, d) => Number.isFinite(x) ? x.toFixed(d) : "—";
        function esc(c) { return c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c; }
        function show(c) { return c === "\n" ? "(newline)" : c === " " ? "(space)" : c === "\t" ? "(tab)" : c; }

        // Totals and notices.
        (function () {
          let h = "<table><tr><th></th><th>model</th><th>parameters</th><th>nats/char</th><th>bits/char</th>" +
            "<th>perplexity</th><th>scored</th><th>not scored</th></tr>";
          M.forEach((m, k) => {
            h += "<tr class=\"total\"><td>" + "AB"[k] + "</td><td><code>" + esc(m.name) + "</code> " + m.architecture +
              " " + m.layers + "×" + m.hidden + "</td><td class=\"num\">" + m.parameters.toLocaleString("en-US") +
              "</td><td class=\"num nats\">" + fmt(m.nats, 4) + "</td><td class=\"num\">" + fmt(m.nats / LN2, 4) +
              "</td><td class=\"num\">" + fmt(Math.exp(m.nats), 3) + "</td><td class=\"num\">" +
              m.scored.toLocaleString("en-US") + "</td><td class=\"num\">" + m.notScored.toLocaleString("en-US") +
                "</td></tr>";
          });
          if (M.length === 2) h += "<tr><td></td><td>A − B</td><td></td><td class=\"num\" id=\"diff\">" +
            fmt(M[0].nats - M[1].nats, 4) + "</td><td class=\"num\">" + fmt((M[0].nats - M[1].nats) / LN2, 4) +
            "</td><td></td><td></td><td></td></tr>";
          document.getElementById("totals").innerHTML = h + "</table>";
          let n = "";
          if (D.shown < D.total) n += "<p class=\"note\" id=\"cut\">Showing the first " +
            D.shown.toLocaleString("en-US") +
            " of " + D.total.toLocaleString("en-US") + " characters; give " + D.limitFlag + " to raise the limit.</p>";
          if (M.length === 2 &&
            !D.sameVocabulary) n += "<p class=\"note\" id=\"vocab\">The two checkpoints know different " +
            "characters: both are scored on the " + D.commonCount.toLocaleString("en-US") +
              " characters both know.</p>";
          if (M.some(m => m.notScored > 0)) n += "<p class=\"note\">Characters shown <span style=\"color:#c00;" +
            "text-decoration:underline dotted\">like this</span> are outside a model's vocabulary and not scored.</p>";
          document.getElementById("notices").innerHTML = n;
        })();

        // Modes: surprisal of each model, their difference, or one unit.
        const modeSel = document.getElementById("mode");
        const modes = [];
        M.forEach((m, k) => modes.push(["s" + k, "surprisal under " + "AB"[k] + " (" + m.architecture + ")"]));
        if (M.length === 2) modes.push(["d", "difference: which model predicted better"]);
        modes.push(["u", "a unit's activation"]);
        modeSel.innerHTML = modes.map(([v, t]) => "<option value=\"" + v + "\">" + esc(t) + "</option>").join("");
        const um = document.getElementById("umodel"), ul = document.getElementById("ulayer"),
          uk = document.getElementById("ukind"), ui = document.getElementById("uindex");
        um.innerHTML = M.map((m, k) => "<option value=\"" + k + "\">" + "AB"[k] + " " + m.architecture +
          "</option>").join("");
        function fillUnit() { const m = M[+um.value];
          ul.innerHTML = Array.from({ length: m.layers }, (_, l) => "<option>" + l + "</option>").join("");
          uk.innerHTML = m.kinds.map(k => "<option>" + k + "</option>").join(""); ui.max = m.hidden - 1; }
        fillUnit();
        let unit = null;   // { values(i) -> number|NaN, gate: bool, lo, hi, label }
        function pickUnit(m, l, kind, j) {
          const mm = M[m], k = mm.kinds.indexOf(kind), W = mm.window, at = ((l * mm.kinds.length + k) * mm.hidden + j);
          const lo = mm.winLo[at], hi = mm.winHi[at], base = at * W;
          unit = { gate: "ifozr".includes(kind), lo: lo, hi: hi, label: "AB"[m] + " layer " + l + " " + kind + " " + j +
            " (first " + W.toLocaleString("en-US") + " characters)",
            value: i => { if (i >= W) return NaN; const q = mm.win[base + i]; return q === 255 ? NaN : lo +
              q / 254 * (hi - lo); } };
        }
        function pickTracker(m, t) {
          const tr = M[m].trackers[t];
          um.value = m; fillUnit(); ul.value = tr.layer; uk.value = tr.kind; ui.value = tr.unit;
          unit = { gate: "ifozr".includes(tr.kind), lo: tr.lo, hi: tr.hi, label: "AB"[m] + " layer " + tr.layer + " " +
            tr.kind + " " + tr.unit + ": " + tr.feature,
            value: i => { const q = tr.q[i]; return q === 255 ? NaN : tr.lo + q / 254 * (tr.hi - tr.lo); } };
        }

        // Colours.
        function heat(t) { t = Math.max(0, Math.min(1, t)); return "hsl(0,85%," + (100 - 48 * t).toFixed(1) + "%)"; }
        function diverging(t) { t = Math.max(-1, Math.min(1, t));
          return t >= 0 ? "hsl(215,80%," + (100 - 45 * t).toFixed(1) + "%)" : "hsl(28,90%," + (100 +
            45 * t).toFixed(1) + "%)"; }
        function colour(i) {
          const mode = modeSel.value;
          if (mode[0] === "s") { const b = M[+mode[1]].loss[i] / LN2; return Number.isFinite(b) ? heat(b / 8) : ""; }
          if (mode === "d") { const d = (M[1].loss[i] - M[0].loss[i]) / LN2;
            return Number.isFinite(d) ? diverging(d / 4) : ""; }
          if (!unit) return "";
          const v = unit.value(i); if (!Number.isFinite(v)) return "";
          if (unit.gate) return "hsl(140,60%," + (100 - 50 * Math.max(0, Math.min(1, v))).toFixed(1) + "%)";
          const m = Math.max(Math.abs(unit.lo), Math.abs(unit.hi), 1e-6); return diverging(v / m);
        }
        function legend() {
          const mode = modeSel.value, L = document.getElementById("legend");
          document.getElementById("unitpick").style.display = mode === "u" ? "" : "none";
          if (mode[0] === "s") L.innerHTML = "0 bits <span class=\"bar\" style=\"background:linear-gradient(90deg," +
            heat(0) + "," + heat(0.5) + "," + heat(1) + ")\"></span> 8+ bits of surprisal";
          else if (mode === "d") L.innerHTML = "B better <span class=\"bar\" " +
            "style=\"background:linear-gradient(90deg," + diverging(-1) + "," + diverging(0) + "," + diverging(1) +
            ")\"></span> A better (±4 bits)";
          else L.innerHTML = unit ? esc(unit.label) + (unit.gate ? " — 0 <span class=\"bar\" style=\"background:" +
            "linear-gradient(90deg,white,hsl(140,60%,50%))\"></span> 1" : " — " + fmt(-Math.max(Math.abs(unit.lo),
            Math.abs(unit.hi)), 2) + " <span class=\"bar\" style=\"background:linear-gradient(90deg," + diverging(-1) +
            ",white," + diverging(1) + ")\"></span> " + fmt(Math.max(Math.abs(unit.lo), Math.abs(unit.hi)), 2)) : "";
        }

        // The text, in blocks drawn when they come into view.
        const BLOCK = 1000, textEl = document.getElementById("text"), blocks = [];
        for (let s = 0; s < chars.length; s += BLOCK) {
          const d = document.createElement("div"); d.dataset.start = s; d.dataset.drawn = "";
          d.style.minHeight = Math.ceil(Math.min(BLOCK, chars.length - s) / 80) * 19 + "px";
          textEl.appendChild(d); blocks.push(d);
        }
        let selected = -1;
        function draw(d) {
          const s = +d.dataset.start, e = Math.min(chars.length, s + BLOCK); let h = "";
          for (let i = s; i < e; i++) {
            const oov = M.some(m => m.vocabulary.indexOf(chars[i]) < 0);
            const c = colour(i);
            h += "<span data-i=\"" + i + "\"" +
              (oov ? " class=\"oov\" title=\"not scored: outside a model's vocabulary\"" : "") +
              (c ? " style=\"background:" + c + "\"" : "") + ">" + esc(chars[i]) + "</span>";
          }
          d.innerHTML = h; d.dataset.drawn = "1"; d.style.minHeight = "";
          if (selected >= s && selected < e) d.querySelector("[data-i=\"" + selected + "\"]").classList.add("sel");
        }
        const seen = new IntersectionObserver(es => es.forEach(e => { if (e.isIntersecting &&
          !e.target.dataset.drawn) draw(e.target); }),
          { rootMargin: "600px" });
        blocks.forEach(b => seen.observe(b));
        function redraw() { legend(); blocks.forEach(b => { if (b.dataset.drawn) draw(b); }); }
        modeSel.addEventListener("change", () => { if (modeSel.value === "u" && !unit) pickUnit(0, 0, M[0].kinds[0],
          0); redraw(); });
        [ul, uk, ui].forEach(e => e.addEventListener("change", () => {
          pickUnit(+um.value, +ul.value, uk.value, Math.max(0, Math.min(M[+um.value].hidden - 1, +ui.value)));
            redraw(); }));
        um.addEventListener("change", () => { fillUnit(); pickUnit(+um.value, 0, M[+um.value].kinds[0], 0); redraw();
          });

        // Predictions at a character.
        function panel(i) {
          let h = "<div>Character <b id=\"pchar\">" + esc(show(chars[i])) + "</b> at position <span id=\"ppos\">" +
            i + "</span></div>";
          M.forEach((m, k) => {
            const l = m.loss[i];
            h += "<div class=\"model\" data-model=\"" + k + "\"><b>" + "AB"[k] + " " + m.architecture +
              "</b>: surprisal " +
              (Number.isFinite(l) ? "<span class=\"bits\">" + fmt(l / LN2, 3) + "</span> bits" : "not scored") +
              "<table>";
            if (i > 0) for (let r = 0; r < D.top; r++) {
              const id = m.topIds[i * D.top + r]; if (id < 0) continue;
              h += "<tr><td><code>" + esc(show(m.vocabulary[id])) + "</code></td><td class=\"p\">" +
                (m.topP[i * D.top + r] / 65535 * 100).toFixed(1) + "%</td></tr>";
            }
            h += "</table></div>";
          });
          document.getElementById("panel").innerHTML = h;
          const old = textEl.querySelector(".sel"); if (old) old.classList.remove("sel");
          const el = textEl.querySelector("[data-i=\"" + i + "\"]"); if (el) el.classList.add("sel");
          selected = i;
        }
        textEl.addEventListener("mouseover", e => { const i = e.target.dataset && e.target.dataset.i;
          if (i !== undefined) panel(+i); });
        textEl.addEventListener("click", e => { const i = e.target.dataset && e.target.dataset.i;
          if (i !== undefined) panel(+i); });

        // Units that track the text.
        const list = [];
        M.forEach((m, k) => m.trackers.forEach((t, j) => list.push([k, j, t])));
        list.sort((a, b) => Math.abs(b[2].r) - Math.abs(a[2].r));
        document.getElementById("neurons").innerHTML = list.map(([k, j, t]) => "<li data-m=\"" + k + "\" data-t=\"" +
          j +
          "\">" + "AB"[k] + " layer " + t.layer + " <code>" + t.kind + " " + t.unit + "</code>: " + esc(t.feature) +
          ", <span class=\"r\">r = " + (t.r >= 0 ? "+" : "−") + Math.abs(t.r).toFixed(2) + "</span></li>").join("");
        document.getElementById("neurons").addEventListener("click", e => {
          const li = e.target.closest("li"); if (!li) return;
          document.querySelectorAll("#neurons li.on").forEach(x => x.classList.remove("on")); li.classList.add("on");
          pickTracker(+li.dataset.m, +li.dataset.t); modeSel.value = "u"; redraw(); });

        // Gate saturation, as in Karpathy, Johnson and Fei-Fei (2015), figure 3.
        (function () {
          const colours = { i: "#1f77b4", f: "#2ca02c", o: "#d62728", r: "#9467bd", z: "#ff7f0e" };
          let h = "";
          M.forEach((m, k) => {
            for (let l = 0; l < m.layers; l++) {
              const S = 180, P = 28;
              let s = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + (S + P + 10) + "\" height=\"" + (S + P +
                10) + "\">" +
                "<rect x=\"" + P + "\" y=\"4\" width=\"" + S + "\" height=\"" + S +
                  "\" fill=\"#fafafa\" stroke=\"#999\"/>" +
                "<line x1=\"" + P + "\" y1=\"" + (S + 4) + "\" x2=\"" + (P + S) + "\" y2=\"4\" stroke=\"#ccc\"/>" +
                "<text x=\"" + (P + S / 2) + "\" y=\"" + (S + 30) +
                  "\" text-anchor=\"middle\" font-size=\"11\">right-saturated</text>" +
                "<text transform=\"translate(11 " + (4 + S / 2) +
                  ") rotate(-90)\" text-anchor=\"middle\" font-size=\"11\">left-saturated</text>";
              m.saturation.filter(g => g.layer === l).forEach(g => {
                for (let j = 0; j < g.left.length; j++) s += "<circle class=\"dot\" cx=\"" + (P +
                  g.right[j] * S).toFixed(1) +
                  "\" cy=\"" + (4 + S - g.left[j] * S).toFixed(1) + "\" r=\"2.2\" fill=\"" + colours[g.gate] +
                    "\" fill-opacity=\"0.6\"/>";
              });
              s += "</svg>";
              const keys = m.saturation.filter(g => g.layer === l).map(g => "<span style=\"color:" + colours[g.gate] +
                "\">● " +
                g.gate + "</span>").join(" ");
              h += "<figure>" + s + "<figcaption>" + "AB"[k] + " " + m.architecture + " layer " + l + ": " + keys +
                "</figcaption></figure>";
            }
          });
          document.getElementById("saturation").innerHTML = h;
        })();

        // The address may name a mode: view.html#difference, #surprisal-b, #tracker (the strongest unit).
        if (location.hash === "#difference" && M.length === 2) modeSel.value = "d";
        if (location.hash === "#surprisal-b" && M.length === 2) modeSel.value = "s1";
        if (location.hash === "#tracker" && list.length) { pickTracker(list[0][0], list[0][1]); modeSel.value = "u"; }
        if (location.hash) redraw();
        legend();
        const first = M[0].loss.findIndex(x => Number.isFinite(x));
        if (first >= 0) panel(first);
        document.body.dataset.ready = "1";
        </script>
        </body>
        </html>

        """#
}
