// The dashboard: each panel fetches its figures from the API and shows them.
// Every text from the store (item keys, reasons, services come from log
// lines) goes in through textContent, never as HTML.
"use strict";

// Paths relative to the page, so that it works behind a proxy that serves
// it under a path of its own; the base is the page without the user and
// password a URL may carry, which fetch() refuses.
const BASE = new URL("api/v1/", location.origin + location.pathname);
const TOP_LIMIT = 10;
const GAPS_LISTED = 10;
const number = new Intl.NumberFormat("en");

async function getJSON(path) {
  const response = await fetch(new URL(path, BASE), {headers: {Accept: "application/json"}});
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    throw new Error(body.error || `the API answered ${response.status}`);
  }
  return body;
}

function panel(id) {
  const section = document.getElementById(id);
  return {section, body: section.querySelector("tbody"),
          note: section.querySelector("[data-note]")};
}

// Rows of cells into a panel's table; a number is right-aligned and grouped.
function fill(p, rows, empty) {
  p.body.replaceChildren(...rows.map((cells) => {
    const tr = document.createElement("tr");
    for (const value of cells) {
      const td = document.createElement("td");
      if (typeof value === "number") {
        td.className = "n";
        td.textContent = number.format(value);
      } else {
        td.textContent = value;
      }
      tr.append(td);
    }
    return tr;
  }));
  p.note.textContent = rows.length ? "" : empty;
}

function failed(p, error) {
  if (p.body) p.body.replaceChildren();
  p.note.textContent = `Cannot be shown: ${error.message}`;
  p.note.classList.add("error");
}

// Every month from the first to the last, so that a month without use is a
// zero on the chart rather than missing from it.
function monthsBetween(first, last) {
  const months = [];
  let [year, month] = first.split("-").map(Number);
  for (let m = first; m <= last; m = `${year}-${String(month).padStart(2, "0")}`) {
    months.push(m);
    [year, month] = month === 12 ? [year + 1, 1] : [year, month + 1];
  }
  return months;
}

async function showMonthly() {
  const p = panel("monthly");
  const page = await getJSON("stats/platform_monthly?per_page=10000");
  const sums = new Map();
  for (const row of page.rows) {  // one row per month and service: summed
    const sum = sums.get(row.period) || {requests: 0, investigations: 0};
    sum.requests += row.Total_Item_Requests;
    sum.investigations += row.Total_Item_Investigations;
    sums.set(row.period, sum);
  }
  const known = [...sums.keys()].sort();
  const months = known.length ? monthsBetween(known[0], known[known.length - 1]) : [];
  const series = (key) => months.map((m) => (sums.get(m) || {})[key] || 0);
  new Chart(document.getElementById("monthly-chart"), {
    type: "line",
    data: {labels: months, datasets: [
      {label: "Total Item Requests", data: series("requests"),
       borderColor: "#1f6f8b", backgroundColor: "#1f6f8b"},
      {label: "Total Item Investigations", data: series("investigations"),
       borderColor: "#d9822b", backgroundColor: "#d9822b"},
    ]},
    options: {animation: false, maintainAspectRatio: false,
              scales: {y: {beginAtZero: true, ticks: {precision: 0}}},
              interaction: {mode: "index", intersect: false}},
  });
  p.note.textContent = months.length ? "" : "No usage is stored yet.";
  return months;
}

async function showTop(month) {
  const p = panel("top");
  const answer = await getJSON(`top?month=${month}&limit=${TOP_LIMIT}`);
  fill(p, answer.rows.map((r) => [r.item, r.Total_Item_Requests, r.Unique_Item_Requests,
                                  r.Total_Item_Investigations, r.Unique_Item_Investigations]),
       `No item was used in ${month}.`);
}

async function showExcluded(month) {
  const p = panel("excluded");
  p.section.querySelector("[data-month]").textContent = `in ${month}`;
  const page = await getJSON(`stats/excluded_daily?after=${month}&before=${month}&per_page=10000`);
  const byReason = new Map();
  for (const row of page.rows) byReason.set(row.reason, (byReason.get(row.reason) || 0) + row.lines);
  const rows = [...byReason].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
  fill(p, rows, `No line was excluded in ${month}.`);
}

const hour = (iso) => (iso ? iso.replace("T", " ").replace(/:00Z$/, "") : "–");

async function showGaps() {
  const p = panel("gaps");
  const answer = await getJSON("coverage");
  span(answer.services);
  fill(p, answer.services.map((s) => [s.service, hour(s.since), hour(s.until), s.empty_hours]),
       "No line is stored yet.");
  const list = p.section.querySelector("ul.gaps");
  list.replaceChildren(...answer.services.flatMap((s) => s.gaps.slice(0, GAPS_LISTED).map((g) => {
    const li = document.createElement("li");
    li.textContent = `${s.service}: no line from ${hour(g.since)} to ${hour(g.until)}`;
    return li;
  })));
  const listed = answer.services.reduce((n, s) => n + Math.min(s.gaps.length, GAPS_LISTED), 0);
  const all = answer.services.reduce((n, s) => n + s.gaps.length, 0);
  if (all > listed) p.note.textContent = `The first ${GAPS_LISTED} gaps of each service are listed.`;
}

async function showDelivery() {
  const p = panel("delivery");
  const answer = await getJSON("delivery");
  if (!answer.reachable) {
    fill(p, [], "Redis cannot be reached just now: the delivery state is not known.");
    p.note.classList.add("error");
    return;
  }
  // A target in dry run sends nothing: its count is of URLs written to a file.
  fill(p, answer.targets.map((t) => [t.section, t.dry_run ? `${t.tracker} (dry run)` : t.tracker,
                                     t.queue,
                                     t.dry_run ? `0 (${t.written_dry_run} written)` : t.delivered,
                                     t.waiting, t.dead]),
       "No delivery target is configured.");
}

function chooseMonth(months) {
  const select = document.getElementById("month");
  select.replaceChildren(...months.slice().reverse().map((m) => new Option(m, m)));
  const show = () => Promise.allSettled([
    showTop(select.value).catch((e) => failed(panel("top"), e)),
    showExcluded(select.value).catch((e) => failed(panel("excluded"), e)),
  ]);
  select.addEventListener("change", () => {
    document.body.dataset.state = "loading";
    show().then(() => { document.body.dataset.state = "ready"; });
  });
  if (!months.length) {
    for (const id of ["top", "excluded"]) fill(panel(id), [], "No usage is stored yet.");
    return Promise.resolve();
  }
  return show();
}

// The header line: the span of time the store has lines for.
function span(services) {
  const since = services.map((s) => s.since).filter(Boolean).sort()[0];
  const until = services.map((s) => s.until).filter(Boolean).sort().pop();
  document.getElementById("span").textContent = since
    ? `Lines from ${hour(since)} to ${hour(until)} UTC, ${services.length} service(s).`
    : "No line is stored yet.";
}

async function main() {
  const months = showMonthly().catch((e) => { failed(panel("monthly"), e); return []; });
  await Promise.allSettled([
    months.then(chooseMonth),
    showGaps().catch((e) => {
      failed(panel("gaps"), e);
      document.getElementById("span").textContent = "";
    }),
    showDelivery().catch((e) => failed(panel("delivery"), e)),
  ]);
  document.body.dataset.state = "ready";
  performance.mark("loglines-ready");  // what bench/dashboard.py reads
}

main();
