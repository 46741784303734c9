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

  function add(parent, tag, text) {
    const element = document.createElement(tag);
    if (text !== undefined) element.textContent = text;
    parent.appendChild(element);
    return element;
  }

  const nodes = new vis.DataSet(data.nodes);
  const edges = new vis.DataSet(data.edges);
  const network = new vis.Network(byId("sg-network"), { nodes: nodes, edges: edges }, data.options);
  network.fit({ animation: false });
  window.network = network;

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

  // ------------------------------------------------------------ highlight and details

  let highlighted = null;

  function highlight(id) {
    const up = reach(id, incoming), down = reach(id, outgoing);
    const upOrSelf = new Set(up).add(id), downOrSelf = new Set(down).add(id);
    nodes.update(data.nodes.map((n) => {
      const kept = n.id === id || up.has(n.id) || down.has(n.id);
      return { id: n.id, color: kept ? nodeColour.get(n.id) : FADED_NODE,
               font: { color: kept ? FONT : FADED_FONT } };
    }));
    edges.update(data.edges.map((e) => {
      const kept = (up.has(e.from) && upOrSelf.has(e.to)) || (downOrSelf.has(e.from) && down.has(e.to));
      return { id: e.id, color: kept ? edgeColour.get(e.id) : { color: FADED_EDGE, inherit: false } };
    }));
    highlighted = id;
    status(`${up.size} upstream and ${down.size} downstream node(s) of ${nodes.get(id).name}`);
  }

  function clearHighlight() {
    if (highlighted === null) return;
    nodes.update(data.nodes.map((n) => ({ id: n.id, color: nodeColour.get(n.id), font: { color: FONT } })));
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
    for (const value of data.filters[select.dataset.field]) select.add(new Option(value, value));
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
    nodes.update(data.nodes.map((n) => ({ id: n.id, hidden: !visible.has(n.id) })));
    edges.update(data.edges.map((e) => ({ id: e.id, hidden: !(visible.has(e.from) && visible.has(e.to)) })));
    status(`${visible.size} of ${data.nodes.length} nodes shown`);
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

  function focusNode(id) {
    if (nodes.get(id).hidden) {
      for (const select of selects) select.value = "";
      applyFilters();
    }
    network.selectNodes([id]);
    network.focus(id, { scale: Math.max(network.getScale(), 1.2), animation: false });
    highlight(id);
    showDetails(nodes.get(id).title);
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
    network.fit({ animation: false });
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
  } else {
    add(panel, "p", "No scenario applied: nodes are coloured by country.");
  }
  for (const line of data.summary) add(panel, "p", line);
  if (scenario) {
    add(panel, "h2", "Sector exposure");
    const table = add(panel, "table");
    table.id = "sg-sectors";
    const head = add(add(table, "thead"), "tr");
    for (const cell of scenario.header) add(head, "th", cell);
    const body = add(table, "tbody");
    for (const row of scenario.rows) {
      const tr = add(body, "tr");
      for (const cell of row) add(tr, "td", cell);
    }
    if (scenario.bottlenecks.length) {
      add(panel, "h2", "Where the losses start");
      const list = add(panel, "ul");
      list.id = "sg-bottlenecks";
      for (const line of scenario.bottlenecks) add(list, "li", line);
    }
    if (scenario.sources.length) {
      const about = byId("sg-about");
      add(about, "h2", "Sources");
      const list = add(about, "ul");
      list.id = "sg-sources";
      for (const source of scenario.sources) add(list, "li", source);
    }
  }

  // ------------------------------------------------------------ legend

  const SVG = "http://www.w3.org/2000/svg";  // a namespace name, never fetched
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

  window.supplygraph = { network, nodes, edges, highlight, clearHighlight, applyFilters, findNode };
})();
