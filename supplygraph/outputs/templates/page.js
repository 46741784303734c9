// supplygraph page: builds the network and its widgets from the JSON data block.
// Data strings reach the page only through textContent, option values and vis-network's
// plain-text tooltips (innerText), never through innerHTML.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("sg-data").textContent);
  const byId = (id) => document.getElementById(id);
  const FADED_NODE = { background: "#eef0f2", border: "#d5d9dd" };
  const FADED_EDGE = "#e6e9ec";
  const FONT = "#343434";
  const FADED_FONT = "#b9c0c7";
  const LABEL_PX = 11;  // names beside the nodes, constant on screen
  const ALL_LABELS_SCALE = 0.75;  // zoomed in this far, every node is named (else the labelled ones)
  const FEW_NODES = 40;  // ... and so is every node a filter leaves, when it leaves this few
  const FIT_PAD_PX = 24;  // around the nodes when the view is fitted ...
  const LABEL_ROOM_PX = 120;  // ... and to the right, for the names of the last column
  const HEADER_PX = 14;  // stage names above the columns
  const MAX_FIT_SCALE = 2;  // fitting one or two nodes zooms no further
  const TIP_GAP_PX = 12;  // between a node and its tooltip
  const SVG = "http://www.w3.org/2000/svg";  // a namespace name, never fetched

  function add(parent, tag, text) {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(byId("sg-network"), { nodes: nodes, edges: edges }, data.options);
  window.network = network;
  const radius = new Map(data.nodes.map((n) => [n.id, n.size]));
  const hidden = new Set(), faded = new Set();  // filtered out; outside the highlighted chain
  let highlighted = null;  // the node whose chain is highlighted
  let pickStockLine = () => {};  // a dated run with daily records: show a node's stock ...
  let showStockDay = () => {};  // ... marked at the slider's date

  const nodeColour = new Map(data.nodes.map((n) => [n.id, n.color]));
  const edgeColour = new Map(data.edges.map((e) => [e.id, e.color]));
  const incoming = new Map(), outgoing = new Map();
  for (const e of data.edges) {
    if (!incoming.has(e.to)) incoming.set(e.to, []);
    if (!outgoing.has(e.from)) outgoing.set(e.from, []);
    incoming.get(e.to).push(e.from);
    outgoing.get(e.from).push(e.to);
  }

  function reach(start, adjacency) {
    const seen = new Set(), queue = [start];
    while (queue.length) {
      for (const next of adjacency.get(queue.pop()) || []) {
        if (!seen.has(next)) { seen.add(next); queue.push(next); }
      }
    }
    return seen;
  }

  // ------------------------------------------------------------ fitting the view

  // Fit these nodes into the canvas, leaving room on the right for their names (and above
  // for the stage names when the whole graph is shown); vis-network's own fit leaves none.
  let fitted = null;  // the nodes of the last fit, until the user zooms or drags the view

  function fitView(ids, headers) {
    if (!ids.length) return;
    fitted = { ids: ids, headers: headers };
    const positions = network.getPositions(ids);
    let x0 = Infinity, x1 = -Infinity, y0 = Infinity, y1 = -Infinity;
    for (const id of ids) {
      const p = positions[id], r = radius.get(id);
      x0 = Math.min(x0, p.x - r); x1 = Math.max(x1, p.x + r);
      y0 = Math.min(y0, p.y - r); y1 = Math.max(y1, p.y + r);
    }
    if (headers) for (const stage of data.stages) y0 = Math.min(y0, stage.y);
    const box = byId("sg-network");
    const top = FIT_PAD_PX + (headers ? HEADER_PX : 0);
    const width = box.clientWidth - 2 * FIT_PAD_PX - LABEL_ROOM_PX, height = box.clientHeight - top - FIT_PAD_PX;
    const scale = Math.min(width / Math.max(x1 - x0, 1), height / Math.max(y1 - y0, 1), MAX_FIT_SCALE);
    const left = FIT_PAD_PX + (width - (x1 - x0) * scale) / 2, upper = top + (height - (y1 - y0) * scale) / 2;
    network.moveTo({ position: { x: x0 + (box.clientWidth / 2 - left) / scale,
                                 y: y0 + (box.clientHeight / 2 - upper) / scale },
                     scale: scale, animation: false });
  }

  function fitAll() {
    fitView(data.nodes.map((n) => n.id), true);
  }

  // A resized canvas (window, side panel) keeps its fit; a view the user moved stays put.
  // vis-network rescales the view right after its "resize" event: fit once it has.
  network.on("resize", () => queueMicrotask(() => { if (fitted) fitView(fitted.ids, fitted.headers); }));
  network.on("zoom", () => { fitted = null; });
  network.on("dragEnd", (params) => { if (!params.nodes.length) fitted = null; });

  // ------------------------------------------------------------ names beside the nodes

  // Named: the labelled nodes (aggregates, the biggest), a highlighted chain, and every node
  // when zoomed in or when a filter leaves few. The chain first, then labelled nodes, then the
  // rest by size; a name that would overlap one already drawn is left out, and each is cut to
  // the room before the next column.
  const byPriority = data.nodes.slice().sort((a, b) => (b.labelled - a.labelled) || (b.size - a.size));
  const columns = Array.from(new Set(data.nodes.map((n) => n.x))).sort((a, b) => a - b);
  const nextColumn = new Map(columns.map((x, i) => [x, i + 1 < columns.length ? columns[i + 1] : Infinity]));
  let drawnLabels = [];

  function fitText(ctx, text, room) {
    if (ctx.measureText(text).width <= room) return text;
    let keep = text.length - 1;
    while (keep > 3 && ctx.measureText(text.slice(0, keep) + "\u2026").width > room) keep--;
    return keep > 3 ? text.slice(0, keep) + "\u2026" : null;
  }

  network.on("afterDrawing", (ctx) => {
    const scale = network.getScale(), box = byId("sg-network");
    const view = { topLeft: network.DOMtoCanvas({ x: 0, y: 0 }),
                   bottomRight: network.DOMtoCanvas({ x: box.clientWidth, y: box.clientHeight }) };
    const all = scale >= ALL_LABELS_SCALE || data.nodes.length - hidden.size <= FEW_NODES;
    const gap = 4 / scale, height = (LABEL_PX + 2) / scale;
    const positions = network.getPositions();
    drawnLabels = [];
    ctx.save();
    ctx.font = `${LABEL_PX / scale}px system-ui, sans-serif`;
    ctx.textBaseline = "middle";
    ctx.lineJoin = "round";
    ctx.lineWidth = 3 / scale;
    ctx.strokeStyle = "rgba(255, 255, 255, 0.9)";
    const chain = highlighted === null ? [] : byPriority.filter((n) => !faded.has(n.id));
    const others = highlighted === null ? byPriority : byPriority.filter((n) => faded.has(n.id));
    for (const n of chain.concat(others)) {
      const named = all || n.labelled || (highlighted !== null && !faded.has(n.id));
      if (!named || hidden.has(n.id)) continue;
      const p = positions[n.id], x = p.x + n.size + gap;
      if (x > view.bottomRight.x || p.y < view.topLeft.y || p.y > view.bottomRight.y) continue;
      const end = Math.min(nextColumn.get(n.x) - 2 * gap, view.bottomRight.x - gap);
      const text = fitText(ctx, n.caption, end - x);
      if (text === null) continue;
      const rect = { x: x, y: p.y - height / 2, width: ctx.measureText(text).width, height: height };
      if (rect.x + rect.width < view.topLeft.x) continue;
      if (drawnLabels.some((o) => rect.x < o.x + o.width && o.x < rect.x + rect.width &&
                                  rect.y < o.y + o.height && o.y < rect.y + rect.height)) continue;
      ctx.fillStyle = faded.has(n.id) ? FADED_FONT : FONT;
      ctx.strokeText(text, x, p.y);
      ctx.fillText(text, x, p.y);
      drawnLabels.push(Object.assign(rect, { id: n.id, text: text }));
    }
    ctx.restore();
  });

  // The names drawn in the last frame, with their boxes in page coordinates (for tests).
  function labels() {
    const box = byId("sg-network").getBoundingClientRect();
    return drawnLabels.map((l) => {
      const a = network.canvasToDOM({ x: l.x, y: l.y });
      const b = network.canvasToDOM({ x: l.x + l.width, y: l.y + l.height });
      return { id: l.id, text: l.text, left: a.x + box.left, top: a.y + box.top,
               width: b.x - a.x, height: b.y - a.y };
    });
  }

  // ------------------------------------------------------------ tooltips beside the node

  // vis-network puts a tooltip at the pointer and pushes it back inside the canvas, which can
  // cover the node; place a node's tooltip to its right, or to its left where that has no room.
  network.on("showPopup", (id) => {
    if (!radius.has(id)) return;
    const tip = byId("sg-network").querySelector("div.vis-tooltip");
    const frame = tip.parentNode, w = tip.offsetWidth, h = tip.offsetHeight;
    const p = network.canvasToDOM(network.getPositions([id])[id]);
    const r = radius.get(id) * network.getScale() + 2;  // and the hover border
    const clamp = (v, lo, hi) => Math.max(lo, Math.min(v, hi));
    let left = p.x + r + TIP_GAP_PX, top = clamp(p.y - h / 2, 4, frame.clientHeight - h - 4);
    if (left + w > frame.clientWidth - 4) left = p.x - r - TIP_GAP_PX - w;
    if (left < 4) {  // no room either side: above the node, or below it
      left = clamp(p.x - w / 2, 4, frame.clientWidth - w - 4);
      top = p.y - r - TIP_GAP_PX - h >= 4 ? p.y - r - TIP_GAP_PX - h : p.y + r + TIP_GAP_PX;
    }
    tip.style.left = `${left}px`;
    tip.style.top = `${top}px`;
  });

  // ------------------------------------------------------------ highlight and details

  function highlight(id) {
    const up = reach(id, incoming), down = reach(id, outgoing);
    const upOrSelf = new Set(up).add(id), downOrSelf = new Set(down).add(id);
    faded.clear();
    nodes.update(data.nodes.map((n) => {
      const kept = n.id === id || up.has(n.id) || down.has(n.id);
      if (!kept) faded.add(n.id);
      return { id: n.id, color: kept ? nodeColour.get(n.id) : FADED_NODE };
    }));
    edges.update(data.edges.map((e) => {
      const kept = (up.has(e.from) && upOrSelf.has(e.to)) || (downOrSelf.has(e.from) && down.has(e.to));
      return { id: e.id, color: kept ? edgeColour.get(e.id) : { color: FADED_EDGE, inherit: false } };
    }));
    highlighted = id;
    status(`${nodes.get(id).name}: ${up.size} node${up.size === 1 ? "" : "s"} upstream, ${down.size} downstream`);
    return [id, ...up, ...down];
  }

  function clearHighlight() {
    if (highlighted === null) return;
    faded.clear();
    nodes.update(data.nodes.map((n) => ({ id: n.id, color: nodeColour.get(n.id) })));
    edges.update(data.edges.map((e) => ({ id: e.id, color: edgeColour.get(e.id) })));
    highlighted = null;
  }

  function showDetails(text) {
    byId("sg-details").textContent = text;
  }

  function status(text) {
    byId("sg-status").textContent = text;
  }

  network.on("click", (params) => {
    if (params.nodes.length) {
      highlight(params.nodes[0]);
      showDetails(nodes.get(params.nodes[0]).title);
      pickStockLine(params.nodes[0]);
    } else {
      clearHighlight();
      status("");
      if (params.edges.length) showDetails(edges.get(params.edges[0]).title);
    }
  });

  network.on("beforeDrawing", (ctx) => {
    ctx.save();
    ctx.font = `600 ${Math.round(14 / network.getScale())}px system-ui, sans-serif`;  // constant on screen
    ctx.fillStyle = "#7b8794";
    ctx.textAlign = "center";
    for (const stage of data.stages) ctx.fillText(stage.label, stage.x, stage.y);
    ctx.restore();
  });

  // ------------------------------------------------------------ filters

  const selects = Array.from(document.querySelectorAll("#sg-tools select"));
  for (const select of selects) {
    for (const [value, label] of data.filters[select.dataset.field]) select.add(new Option(label, value));
    select.addEventListener("change", applyFilters);
  }

  function applyFilters() {
    const chosen = {};
    for (const select of selects) chosen[select.dataset.field] = select.value;
    const visible = new Set();
    for (const n of data.nodes) {
      if ((!chosen.sector || n.serves.includes(chosen.sector)) &&
          (!chosen.country || n.country === chosen.country) &&
          (!chosen.stage || n.stage === chosen.stage)) visible.add(n.id);
    }
    hidden.clear();
    for (const n of data.nodes) if (!visible.has(n.id)) hidden.add(n.id);
    nodes.update(data.nodes.map((n) => ({ id: n.id, hidden: hidden.has(n.id) })));
    edges.update(data.edges.map((e) => ({ id: e.id, hidden: !(visible.has(e.from) && visible.has(e.to)) })));
    status(`${visible.size} of ${data.nodes.length} nodes shown`);
    if (!hidden.size) fitAll();
    else fitView(Array.from(visible), false);
  }

  // ------------------------------------------------------------ search

  const names = byId("sg-names");
  for (const n of data.nodes) {
    const option = document.createElement("option");
    option.value = n.name;
    option.textContent = n.id;
    names.appendChild(option);
  }

  function findNode(query) {
    const q = query.trim().toLowerCase();
    if (!q) return null;
    const tests = [(n) => n.id.toLowerCase() === q, (n) => n.name.toLowerCase() === q,
                   (n) => n.name.toLowerCase().startsWith(q), (n) => n.name.toLowerCase().includes(q),
                   (n) => n.id.toLowerCase().includes(q)];
    for (const test of tests) {
      const found = data.nodes.find(test);
      if (found) return found.id;
    }
    return null;
  }

  // Select the node and fit the view to its chain (what it depends on, what depends on it).
  function focusNode(id) {
    if (hidden.has(id)) {
      for (const select of selects) select.value = "";
      applyFilters();
    }
    network.selectNodes([id]);
    const chain = highlight(id);
    fitView(chain.filter((n) => !hidden.has(n)), false);
    showDetails(nodes.get(id).title);
    pickStockLine(id);
  }

  byId("sg-search").addEventListener("submit", (event) => {
    event.preventDefault();
    const query = byId("sg-query").value;
    const id = findNode(query);
    if (id === null) status(`No node matches "${query.trim()}"`);
    else focusNode(id);
  });

  byId("sg-reset").addEventListener("click", () => {
    for (const select of selects) select.value = "";
    applyFilters();
    clearHighlight();
    network.unselectAll();
    status("");
  });

  // ------------------------------------------------------------ side panel

  if (data.notice) {
    byId("sg-notice").textContent = data.notice;
    byId("sg-notice").hidden = false;
  }

  const panel = byId("sg-scenario");
  const scenario = data.scenario;
  add(panel, "h2", scenario ? "Scenario" : "Baseline");
  if (scenario) {
    add(add(panel, "p"), "strong", scenario.title || scenario.name);
    add(panel, "p", `Scenario ${scenario.name}, ${scenario.as_of}`);
    if (scenario.description) add(panel, "p", scenario.description).id = "sg-description";
  } else if (!data.ranking) {
    add(panel, "p", "No scenario applied: nodes are coloured by country.");
  }
  for (const line of data.summary) add(panel, "p", line);
  if (data.ranking) {  // a page coloured by another figure says which, and ranks by it
    const ranking = data.ranking;
    add(panel, "h2", ranking.heading);
    for (const line of ranking.intro) add(panel, "p", line);
    const table = add(add(panel, "div"), "table");
    table.parentNode.className = "sg-table-box";
    table.id = "sg-ranking";
    const head = add(add(table, "thead"), "tr");
    for (const cell of ranking.header) add(head, "th", cell);
    const body = add(table, "tbody");
    for (const row of ranking.rows) {
      const tr = add(body, "tr");
      for (const cell of row) add(tr, "td", cell);
    }
  }
  if (scenario) {
    add(panel, "h2", scenario.table_title || "Sector exposure");
    const table = add(add(panel, "div"), "table");
    table.parentNode.className = "sg-table-box";  // scrolls sideways rather than break a word
    table.id = "sg-sectors";
    const head = add(add(table, "thead"), "tr");
    for (const cell of scenario.header) add(head, "th", cell);
    const body = add(table, "tbody");
    scenario.rows.forEach((row, k) => {
      const tr = add(body, "tr");
      if (scenario.tips && scenario.tips[k]) tr.title = scenario.tips[k];  // the bands
      // a long sector name may wrap after an underscore, never inside a word
      const name = add(tr, "td");
      row[0].split("_").forEach((part, i, parts) => {
        name.appendChild(document.createTextNode(i + 1 < parts.length ? part + "_" : part));
        if (i + 1 < parts.length) name.appendChild(document.createElement("wbr"));
      });
      for (const cell of row.slice(1)) add(tr, "td", cell);
    });
    if (scenario.bottlenecks.length) {
      add(panel, "h2", scenario.bottlenecks_title || "Where the losses start");
      const list = add(panel, "ul");
      list.id = "sg-bottlenecks";
      for (const line of scenario.bottlenecks) {
        const item = add(list, "li");
        line.split(" ").forEach((word, i) => {  // ids whole: a line breaks between words
          if (i) item.appendChild(document.createTextNode(" "));
          add(item, "span", word).className = "sg-word";
        });
      }
    }
    if (scenario.sources.length) {
      const about = byId("sg-about");
      add(about, "h2", "Sources");
      const list = add(about, "ul");
      list.id = "sg-sources";
      for (const source of scenario.sources) add(list, "li", source);
    }
  }

  // ------------------------------------------------------------ a dated run: the date slider

  const timeline = data.timeline;
  if (timeline) {
    add(panel, "h2", "Day by day");
    if (timeline.chart) {
      const chart = add(panel, "img");
      chart.id = "sg-chart";
      chart.src = timeline.chart;  // a data: URL made by supplygraph
      chart.alt = "Each sector's output over the dated run";
      chart.style.width = "100%";
    }
    if (timeline.dates.length) {
      const day = add(panel, "p");
      day.id = "sg-day";
      const slider = add(panel, "input");
      slider.id = "sg-slider";
      slider.type = "range";
      slider.min = "0";
      slider.max = String(timeline.dates.length - 1);
      slider.setAttribute("aria-label", "The day whose shortfall colours the nodes");
      slider.style.width = "100%";
      const colourOf = (pct) => {
        if (!(pct >= timeline.affected)) return timeline.unaffected;
        for (const [bound, colour] of timeline.scale) if (bound === null || pct <= bound) return colour;
        return timeline.scale[timeline.scale.length - 1][1];
      };
      const showDay = (k) => {
        let short = 0;
        for (const n of data.nodes) {
          const series = timeline.shortfall[n.id];
          const pct = series ? series[k] : 0;
          if (pct >= timeline.affected) short += 1;
          const fill = colourOf(pct);
          nodeColour.set(n.id, Object.assign({}, n.color, {
            background: fill,
            highlight: Object.assign({}, n.color.highlight, { background: fill }),
            hover: Object.assign({}, n.color.hover, { background: fill }),
          }));
        }
        nodes.update(data.nodes.map((n) => ({ id: n.id, color: nodeColour.get(n.id) })));
        day.textContent = `${timeline.dates[k]}: ${short} of ${data.nodes.length} nodes short ` +
          "(colours: that day; tooltips: the steady state)";
        showStockDay(timeline.dates[k]);
      };
      slider.addEventListener("input", () => showDay(Number(slider.value)));
      slider.value = String(timeline.open);  // the worst day: where the story is
      showDay(timeline.open);
    }
    if (timeline.stock) stockPanel(timeline.stock);
  }

  // A chosen product line's stock cover (solid) and output (dotted) over the run, as an
  // inline SVG sparkline, marked at the slider's date. Labels reach the page as text only.
  function stockPanel(stock) {
    add(panel, "h2", "A line's stock");
    if (!stock.lines.length) {
      add(panel, "p", "No line's stock moved in this run.").id = "sg-stock-note";
      return;
    }
    const shown = stock.lines.length < stock.moved ? ` (the ${stock.lines.length} that used most of their cover)` : "";
    add(panel, "p", `${stock.moved} line${stock.moved === 1 ? "" : "s"} drew on their stock${shown}; ` +
      "pick one, or click its node.");
    const pick = add(panel, "select");
    pick.id = "sg-stock-line";
    pick.setAttribute("aria-label", "The product line whose stock the sparkline shows");
    pick.style.width = "100%";
    stock.lines.forEach((line, i) => pick.add(new Option(line.label, String(i))));
    const W = 300, H = 80, PAD = 4;
    const svg = document.createElementNS(SVG, "svg");
    svg.id = "sg-stock-chart";
    svg.setAttribute("viewBox", `0 0 ${W} ${H}`);
    svg.setAttribute("preserveAspectRatio", "none");
    svg.setAttribute("role", "img");
    svg.style.width = "100%";
    svg.style.height = `${H}px`;
    svg.style.display = "block";
    panel.appendChild(svg);
    const mark = (shape, attributes) => {
      const element = document.createElementNS(SVG, shape);
      for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, value);
      svg.appendChild(element);
      return element;
    };
    mark("line", { x1: 0, y1: H - PAD, x2: W, y2: H - PAD, stroke: "#d5d9dd" });
    const output = mark("polyline", { id: "sg-stock-output", fill: "none", stroke: "#8e44ad",
                                       "stroke-dasharray": "2 3", "vector-effect": "non-scaling-stroke" });
    const cover = mark("polyline", { id: "sg-stock-cover", fill: "none", stroke: "#1f77b4", "stroke-width": 2,
                                      "vector-effect": "non-scaling-stroke" });
    const today = mark("line", { id: "sg-stock-day", y1: 0, y2: H, stroke: "#343434",
                                 "vector-effect": "non-scaling-stroke" });
    const note = add(panel, "p");
    note.id = "sg-stock-note";
    const n = stock.dates.length;
    const x = (i) => (n > 1 ? (i * W) / (n - 1) : W / 2);
    const points = (values, top) => values.map((v, i) => (v === null ? null :
      `${x(i).toFixed(1)},${(H - PAD - (v / top) * (H - 2 * PAD)).toFixed(1)}`)).filter((p) => p !== null).join(" ");
    // each series comes as [day, value] where it changes: spell it out day by day
    const spell = (changes) => {
      const values = new Array(n);
      changes.forEach(([k, v], i) => values.fill(v, k, i + 1 < changes.length ? changes[i + 1][0] : n));
      return values;
    };
    const series = stock.lines.map((line) => ({ cover: spell(line.cover), output: spell(line.output) }));
    let chosen = 0, date = null;
    const largest = (values) => Math.max(...values.filter((v) => v !== null));
    const draw = () => {
      const line = Object.assign({}, stock.lines[chosen], series[chosen]);
      const coverTop = Math.max(largest(line.cover), 0.1), outputTop = Math.max(largest(line.output), 100);
      cover.setAttribute("points", points(line.cover, coverTop));
      output.setAttribute("points", points(line.output, outputTop));
      // the last sampled day on or before the slider's date (ISO dates compare as text)
      let k = -1;
      if (date !== null) for (let i = 0; i < n && stock.dates[i] <= date; i++) k = i;
      today.setAttribute("visibility", k < 0 ? "hidden" : "visible");
      if (k >= 0) { today.setAttribute("x1", x(k)); today.setAttribute("x2", x(k)); }
      const lowest = Math.min(...line.cover.filter((v) => v !== null));
      const on = k < 0 ? `lowest cover ${lowest} days` :
        `on ${stock.dates[k]}: cover ${line.cover[k] === null ? "-" : line.cover[k]} days, output ${line.output[k]}%`;
      note.textContent = `${line.label}: ${on}. Solid: stock cover, 0 to ${coverTop} days; ` +
        `dotted: output, 0 to ${outputTop}% of baseline.`;
    };
    pick.addEventListener("change", () => { chosen = Number(pick.value); draw(); });
    pickStockLine = (id) => {  // a node's first line (the one that used most of its cover)
      const i = stock.lines.findIndex((line) => line.node === id);
      if (i >= 0) { pick.value = String(i); chosen = i; draw(); }
    };
    showStockDay = (day) => { date = day; draw(); };
    const slider = byId("sg-slider");
    date = slider ? timeline.dates[Number(slider.value)] : null;
    draw();
  }

  // ------------------------------------------------------------ resizing the side panel

  const PANEL_MIN_PX = 260, PANEL_MAX_SHARE = 0.6, PANEL_STEP_PX = 20;
  const splitter = byId("sg-splitter"), main = splitter.parentNode;

  function panelWidth(width) {
    const max = main.clientWidth * PANEL_MAX_SHARE;
    const clamped = Math.round(Math.max(PANEL_MIN_PX, Math.min(width, max)));
    main.style.setProperty("--sg-panel", `${clamped}px`);
    splitter.setAttribute("aria-valuenow", String(clamped));
  }

  splitter.addEventListener("pointerdown", (event) => {
    splitter.setPointerCapture(event.pointerId);
    event.preventDefault();
  });
  splitter.addEventListener("pointermove", (event) => {
    if (splitter.hasPointerCapture(event.pointerId)) {
      panelWidth(main.getBoundingClientRect().right - event.clientX - splitter.offsetWidth / 2);
    }
  });
  splitter.addEventListener("keydown", (event) => {
    const step = { ArrowLeft: PANEL_STEP_PX, ArrowRight: -PANEL_STEP_PX }[event.key];
    if (step) {
      panelWidth(byId("sg-panel").offsetWidth + step);
      event.preventDefault();
    }
  });

  // ------------------------------------------------------------ legend

  function swatch(width, height, shape, attributes) {
    const svg = document.createElementNS(SVG, "svg");
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const mark = document.createElementNS(SVG, shape);
    for (const [key, value] of Object.entries(attributes)) mark.setAttribute(key, value);
    svg.appendChild(mark);
    return svg;
  }

  function legendRow(parent, svg, label) {
    const row = add(parent, "div");
    row.className = "sg-legend-row";
    row.appendChild(svg);
    add(row, "span", label);
  }

  function line(colour, width, dashes) {
    return swatch(40, 12, "line", { x1: 1, y1: 6, x2: 39, y2: 6, stroke: colour, "stroke-width": width,
                                    "stroke-dasharray": dashes ? dashes.join(" ") : "none" });
  }

  function group(title, className, rows) {
    const box = add(byId("sg-legend"), "div");
    add(box, "h3", title);
    const body = add(box, "div");
    body.className = className;
    if (rows) body.style.gridTemplateRows = `repeat(${rows}, auto)`;
    return body;
  }

  const colours = group(data.legend.title, "sg-legend-grid", 3);
  for (const item of data.legend.colours) {
    legendRow(colours, swatch(16, 16, "circle", { cx: 8, cy: 8, r: 7, fill: item.colour,
                                                  stroke: "#5f6b76" }), item.label);
  }
  const edgeKey = group("Edges", "sg-legend-grid", 2);
  for (const item of data.legend.edges) legendRow(edgeKey, line(item.colour, 3, item.dashes), item.label);
  const sizes = group("Size at 100% zoom", "");
  const circles = add(sizes, "div");
  circles.className = "sg-legend-line";
  add(circles, "p", "node area: throughput");
  for (const item of data.legend.sizes) {
    const d = 2 * item.size + 2;
    legendRow(circles, swatch(d, d, "circle", { cx: d / 2, cy: d / 2, r: item.size, fill: "#ffffff",
                                                stroke: "#5f6b76" }), item.label);
  }
  const widths = add(sizes, "div");
  widths.className = "sg-legend-line";
  add(widths, "p", "edge width: flow");
  for (const item of data.legend.widths) legendRow(widths, line("#9aa3ad", item.width, false), item.label);

  // The panel and the legend have taken their room: size the canvas to what is left, then fit
  // (a later resize would otherwise rescale the fitted view by the change in height).
  network.setSize("100%", "100%");
  fitAll();
  window.supplygraph = { network, nodes, edges, highlight, clearHighlight, applyFilters, findNode,
                         fitView, labels };
})();
