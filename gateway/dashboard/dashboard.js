// The administrator's dashboard: the viewer's own organisation and the units directly below it,
// read through the gateway's /graphql with the viewer's token, so every figure is scoped and
// suppressed exactly as the API answers it. Plain browser JavaScript, no libraries: charts are
// inline SVG built with DOM calls (the Content-Security-Policy allows no inline script or style).
'use strict';

const SVG = 'http://www.w3.org/2000/svg';
const $ = (id) => document.getElementById(id);

const UNIT_FIELDS = `id name level
    statistics { activeTeachers onQuota
      byTitle { code label count } byAgeBand { code label count }
      byTitleAndAgeBand { rowCode rowLabel columnCode columnLabel count suppressed } }
    staffingQuota(year: $year) { approved occupied balance standard standardGap }
    trainingCompletion { teacherCount metCount completionRate cycle { startsOn endsOn } }
    children { id name level
      statistics { activeTeachers onQuota }
      staffingQuota(year: $year) { approved occupied balance standard standardGap }
      trainingCompletion { teacherCount metCount completionRate } }`;
const OVERVIEW = `query DashboardOverview($year: Int!) { viewer { role organisation { ${UNIT_FIELDS} } } }`;
/** A unit below the viewer's own (drill-down); the API scopes it like everything else. */
const UNIT = `query DashboardUnit($year: Int!, $unit: ID!) { viewer { role } orgUnit(id: $unit) { ${UNIT_FIELDS} ancestors { id name } } }`;

const FORECAST = `query DashboardForecast($unit: ID!, $year: Int!) {
  staffingDemandForecast(orgUnitId: $unit, baseYear: $year, years: 5) {
    baseYear teachersInPost years { year students teachersRequired retirements teachersAvailable gap } } }`;

async function graphql(token, query, variables) {
  const response = await fetch('/graphql', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query, variables }),
  });
  const body = await response.json().catch(() => ({ errors: [{ message: `HTTP ${response.status}` }] }));
  if (!response.ok && !body.data) throw new Error(body.errors?.[0]?.message ?? `HTTP ${response.status}`);
  return body;
}

function element(tag, attributes = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) if (value !== undefined && value !== null) node.setAttribute(name, String(value));
  for (const child of children) node.append(child instanceof Node ? child : document.createTextNode(String(child ?? '')));
  return node;
}

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = String(text);
  return node;
}

/** A unit below the one shown opens its own dashboard (the URL keeps it: #unit=<code>). */
function unitLink(unit) {
  if (unit.id === shownUnitId) return unit.name;
  const link = element('a', { href: `#unit=${encodeURIComponent(unit.id)}`, 'data-drill': unit.id }, unit.name);
  return link;
}
let shownUnitId = null;

const percent = (rate) => `${(rate * 100).toFixed(1)}%`;
const signed = (n) => (n == null ? SUPPRESSED : n > 0 ? `+${n}` : String(n));
// A figure withheld by small-cell suppression (null for analysts and system administrators) shows as ＊, like a cell.
const SUPPRESSED = '＊';
const shown = (n) => (n == null ? SUPPRESSED : String(n));

function setStatus(text, error = false) {
  $('status').textContent = text;
  $('status').className = error ? 'error' : '';
}

// ---------------------------------------------------------------------------------------------
// Headcount by title × age band: a table (the numbers) and stacked bars per title (the shape).
// ---------------------------------------------------------------------------------------------
const AGE_COLOURS = ['#9fb3c8', '#627d98', '#334e68', '#102a43'];
// Natural orders of the code sets (youngest band first, highest title first); unknown codes go last.
const AGE_ORDER = ['under_30', '30_39', '40_49', '50_and_over'];
const TITLE_ORDER = ['senior_professor', 'senior', 'first', 'second', 'third', 'none'];
const byOrder = (order) => (a, b) => {
  const rank = (code) => (order.includes(code) ? order.indexOf(code) : order.length + (code == null ? 1 : 0));
  return rank(a) - rank(b) || String(a).localeCompare(String(b));
};

function renderHeadcount(stats) {
  const cells = stats.byTitleAndAgeBand;
  const columns = stats.byAgeBand.filter((b) => b.code !== 'suppressed');
  const columnCodes = [...new Set([...columns.map((c) => c.code), ...cells.map((c) => c.columnCode)])].sort(byOrder(AGE_ORDER));
  const columnLabel = (code) => cells.find((c) => c.columnCode === code)?.columnLabel ?? columns.find((c) => c.code === code)?.label ?? code;
  const rowCodes = [...new Set(cells.map((c) => c.rowCode))].sort(byOrder(TITLE_ORDER));
  const rowLabel = (code) => cells.find((c) => c.rowCode === code)?.rowLabel ?? code;
  const cell = (row, column) => cells.find((c) => c.rowCode === row && c.columnCode === column);

  const table = $('headcount-table');
  table.replaceChildren(element('tr', {}, element('th', {}, 'Title [职称]'), ...columnCodes.map((c) => element('th', { 'data-col': c }, columnLabel(c)))));
  for (const row of rowCodes) {
    const tr = element('tr', { 'data-row': row ?? '' }, element('th', {}, rowLabel(row)));
    for (const column of columnCodes) {
      const c = cell(row, column);
      const text = !c ? '0' : c.suppressed ? '＊' : String(c.count);
      tr.append(element('td', { 'data-row': row ?? '', 'data-col': column, class: c?.suppressed ? 'suppressed' : undefined }, text));
    }
    table.append(tr);
  }
  table.append(element('tr', { 'data-row': 'total' }, element('th', {}, 'All active teachers'), element('td', { 'data-total': 'active', colspan: columnCodes.length }, shown(stats.activeTeachers))));

  // Stacked horizontal bars; suppressed cells are drawn as hatched grey of unknown size, i.e. not at all.
  const width = 640;
  const rowHeight = 22;
  const labelWidth = 110;
  const max = Math.max(1, ...rowCodes.map((r) => cells.filter((c) => c.rowCode === r).reduce((s, c) => s + (c.count ?? 0), 0)));
  const chart = svg('svg', { viewBox: `0 0 ${width} ${rowCodes.length * rowHeight + 30}`, role: 'img', 'aria-label': 'headcount by title and age band' });
  rowCodes.forEach((row, i) => {
    const y = i * rowHeight;
    chart.append(svg('text', { x: 0, y: y + 15 }, rowLabel(row)));
    let x = labelWidth;
    columnCodes.forEach((column, j) => {
      const c = cell(row, column);
      if (!c || c.count == null) return;
      const w = ((width - labelWidth - 10) * c.count) / max;
      const bar = svg('rect', { x, y: y + 3, width: Math.max(0, w), height: rowHeight - 6, fill: AGE_COLOURS[j % AGE_COLOURS.length], 'data-row': row ?? '', 'data-col': column });
      bar.append(svg('title', {}, `${rowLabel(row)} · ${columnLabel(column)}: ${c.count}`));
      chart.append(bar);
      x += w;
    });
  });
  columnCodes.forEach((column, j) => {
    const x = labelWidth + j * 120;
    const y = rowCodes.length * rowHeight + 16;
    chart.append(svg('rect', { x, y: y - 9, width: 10, height: 10, fill: AGE_COLOURS[j % AGE_COLOURS.length] }));
    chart.append(svg('text', { x: x + 14, y }, columnLabel(column)));
  });
  $('headcount-chart').replaceChildren(chart);
}

// ---------------------------------------------------------------------------------------------
// Staffing quota by unit: balance bars around zero (vacant quota right, over quota left).
// ---------------------------------------------------------------------------------------------
function unitsWith(org, field) {
  const children = org.children.filter((c) => c[field] != null);
  return children.length > 0 ? children : [org];
}

/**
 * A unit's quota figures: viewers who may not see persons get no on-quota count from staffing (the
 * registry alone publishes teacher counts to them), so it and what follows from it come from the
 * unit's statistics.onQuota when that is published; otherwise they stay unknown.
 */
function quotaOf(unit) {
  const q = unit.staffingQuota;
  if (!q) return null;
  const occupied = q.occupied ?? unit.statistics?.onQuota ?? null;
  return {
    approved: q.approved,
    occupied,
    balance: q.balance ?? (occupied === null ? null : q.approved - occupied),
    standard: q.standard,
    standardGap: q.standardGap ?? (occupied === null ? null : q.standard - occupied),
  };
}

function renderDeficit(org) {
  const units = unitsWith(org, 'staffingQuota');
  const table = $('deficit-table');
  table.replaceChildren(
    element('tr', {}, ...['Unit [单位]', 'Approved [核定]', 'On-quota staff [实有]', 'Balance [余缺]', 'Standard [标准]', 'Standard gap [缺编]'].map((h) => element('th', {}, h))),
  );
  for (const unit of units) {
    const q = quotaOf(unit);
    const tr = element('tr', { 'data-unit': unit.id }, element('td', {}, unitLink(unit)));
    if (!q) {
      tr.append(element('td', { colspan: 5 }, 'not in your scope'));
    } else {
      tr.append(
        element('td', { class: 'approved' }, q.approved),
        element('td', { class: 'occupied' }, shown(q.occupied)),
        element('td', { class: `balance${q.balance < 0 ? ' negative' : ''}` }, signed(q.balance)),
        element('td', { class: 'standard' }, q.standard),
        element('td', { class: 'standard-gap' }, signed(q.standardGap)),
      );
    }
    table.append(tr);
  }
  const rows = units.filter((u) => quotaOf(u)?.balance != null);
  const width = 640;
  const rowHeight = 20;
  const labelWidth = 190;
  const max = Math.max(1, ...rows.map((u) => Math.abs(quotaOf(u).balance)));
  const mid = labelWidth + (width - labelWidth) / 2;
  const scale = (width - labelWidth - 20) / 2 / max;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${rows.length * rowHeight + 6}`, role: 'img', 'aria-label': 'quota balance by unit' });
  chart.append(svg('line', { x1: mid, x2: mid, y1: 0, y2: rows.length * rowHeight, stroke: '#9aa5b1' }));
  rows.forEach((unit, i) => {
    const b = quotaOf(unit).balance;
    const y = i * rowHeight;
    chart.append(svg('text', { x: 0, y: y + 14 }, unit.name.length > 14 ? `${unit.name.slice(0, 13)}…` : unit.name));
    const w = Math.abs(b) * scale;
    const bar = svg('rect', { x: b < 0 ? mid - w : mid, y: y + 3, width: w, height: rowHeight - 6, fill: b < 0 ? '#c62828' : '#2e7d32', 'data-unit': unit.id });
    bar.append(svg('title', {}, `${unit.name}: ${signed(b)}`));
    chart.append(bar);
    chart.append(svg('text', { x: b < 0 ? mid - w - 24 : mid + w + 4, y: y + 14 }, signed(b)));
  });
  $('deficit-chart').replaceChildren(chart);
}

// ---------------------------------------------------------------------------------------------
// Training completion per unit.
// ---------------------------------------------------------------------------------------------
/**
 * A unit's completion: viewers who may not see persons get only the met count from training (the
 * registry alone publishes teacher totals to them), so teachers and rate come from the unit's
 * activeTeachers when it is published; otherwise they stay unknown.
 */
function completionOf(unit) {
  const c = unit.trainingCompletion;
  if (!c) return null;
  const teachers = c.teacherCount ?? unit.statistics?.activeTeachers ?? null;
  const rate = c.completionRate ?? (teachers ? c.metCount / teachers : teachers === 0 ? 0 : null);
  return { teachers, met: c.metCount, rate };
}

function renderTraining(org) {
  const units = org.children.length > 0 ? org.children : [org];
  const table = $('training-table');
  table.replaceChildren(element('tr', {}, ...['Unit [单位]', 'Teachers', 'Met [达标]', 'Rate'].map((h) => element('th', {}, h))));
  for (const unit of units) {
    const c = completionOf(unit);
    const tr = element('tr', { 'data-unit': unit.id }, element('td', {}, unitLink(unit)));
    if (!c) tr.append(element('td', { colspan: 3, class: 'suppressed' }, 'suppressed or not in your scope'));
    else tr.append(element('td', { class: 'teachers' }, shown(c.teachers)), element('td', { class: 'met' }, c.met), element('td', { class: 'rate' }, c.rate === null ? '—' : percent(c.rate)));
    table.append(tr);
  }
  const rows = units.filter((u) => completionOf(u)?.rate != null);
  const width = 640;
  const rowHeight = 20;
  const labelWidth = 190;
  const chart = svg('svg', { viewBox: `0 0 ${width} ${rows.length * rowHeight + 6}`, role: 'img', 'aria-label': 'training completion by unit' });
  rows.forEach((unit, i) => {
    const rate = completionOf(unit).rate;
    const y = i * rowHeight;
    chart.append(svg('text', { x: 0, y: y + 14 }, unit.name.length > 14 ? `${unit.name.slice(0, 13)}…` : unit.name));
    chart.append(svg('rect', { x: labelWidth, y: y + 3, width: width - labelWidth - 50, height: rowHeight - 6, fill: '#e4e7eb' }));
    chart.append(svg('rect', { x: labelWidth, y: y + 3, width: (width - labelWidth - 50) * rate, height: rowHeight - 6, fill: '#486581', 'data-unit': unit.id }));
    chart.append(svg('text', { x: width - 45, y: y + 14 }, percent(rate)));
  });
  $('training-chart').replaceChildren(chart);
}

// ---------------------------------------------------------------------------------------------
// Demand forecast: teachers required vs. available, with the gap in the table.
// ---------------------------------------------------------------------------------------------
function renderForecast(forecast) {
  const table = $('forecast-table');
  const chartBox = $('forecast-chart');
  if (!forecast) {
    table.replaceChildren(element('tr', {}, element('td', {}, 'No forecast for this unit.')));
    chartBox.replaceChildren();
    return;
  }
  table.replaceChildren(
    element('tr', {}, ...['Year', 'Students', 'Required [需求]', 'Retirements [退休]', 'Available [现有]', 'Gap [缺口]'].map((h) => element('th', {}, h))),
  );
  for (const y of forecast.years) {
    table.append(
      element(
        'tr',
        { 'data-year': y.year },
        element('td', {}, y.year),
        element('td', { class: 'students' }, y.students),
        element('td', { class: 'required' }, y.teachersRequired),
        element('td', { class: `retirements${y.retirements == null ? ' suppressed' : ''}` }, shown(y.retirements)),
        element('td', { class: `available${y.teachersAvailable == null ? ' suppressed' : ''}` }, shown(y.teachersAvailable)),
        element('td', { class: `gap${y.gap > 0 ? ' negative' : ''}` }, signed(y.gap)),
      ),
    );
  }
  const width = 640;
  const height = 220;
  const pad = { left: 44, right: 16, top: 12, bottom: 28 };
  const values = forecast.years.flatMap((y) => [y.teachersRequired, y.teachersAvailable]).filter((v) => v != null);
  const top = Math.max(1, ...values) * 1.1;
  const bottom = Math.min(...values, top) * 0.9;
  const x = (i) => pad.left + ((width - pad.left - pad.right) * i) / Math.max(1, forecast.years.length - 1);
  const y = (v) => height - pad.bottom - ((height - pad.top - pad.bottom) * (v - bottom)) / Math.max(1, top - bottom);
  const chart = svg('svg', { viewBox: `0 0 ${width} ${height}`, role: 'img', 'aria-label': 'teacher demand forecast' });
  chart.append(svg('line', { x1: pad.left, x2: width - pad.right, y1: height - pad.bottom, y2: height - pad.bottom, stroke: '#9aa5b1' }));
  for (const v of [bottom, (bottom + top) / 2, top]) chart.append(svg('text', { x: 2, y: y(v) + 4 }, Math.round(v)));
  const series = [
    ['required', 'teachersRequired', '#c62828', 'required [需求]'],
    ['available', 'teachersAvailable', '#2e7d32', 'available [现有]'],
  ];
  for (const [name, field, colour] of series) {
    // Withheld years (null) leave a gap in the line and no point: the chart never draws a value the API withholds.
    let run = [];
    const runs = [run];
    forecast.years.forEach((row, i) => (row[field] == null ? runs.push((run = [])) : run.push(`${x(i).toFixed(1)},${y(row[field]).toFixed(1)}`)));
    for (const points of runs.filter((r) => r.length > 0)) chart.append(svg('polyline', { points: points.join(' '), fill: 'none', stroke: colour, 'stroke-width': 2, 'data-series': name }));
    forecast.years.forEach((row, i) => row[field] != null && chart.append(svg('circle', { cx: x(i), cy: y(row[field]), r: 3, fill: colour, 'data-series': name, 'data-year': row.year, 'data-value': row[field] })));
  }
  forecast.years.forEach((row, i) => chart.append(svg('text', { x: x(i) - 14, y: height - 8 }, row.year)));
  series.forEach(([, , colour, label], i) => {
    chart.append(svg('rect', { x: pad.left + 10 + i * 140, y: pad.top, width: 10, height: 10, fill: colour }));
    chart.append(svg('text', { x: pad.left + 24 + i * 140, y: pad.top + 9 }, label));
  });
  chartBox.replaceChildren(chart);
}

// ---------------------------------------------------------------------------------------------

async function load(event) {
  event?.preventDefault();
  const token = $('token').value.trim();
  const year = Number($('year').value);
  if (!token) return setStatus('paste a token first', true);
  if (!Number.isInteger(year) || year < 1949 || year > 2100) return setStatus('year must be between 1949 and 2100', true);
  setStatus('loading…');
  try {
    const wanted = new URLSearchParams(location.hash.slice(1)).get('unit');
    const overview = wanted ? await graphql(token, UNIT, { year, unit: wanted }) : await graphql(token, OVERVIEW, { year });
    const org = wanted ? overview.data?.orgUnit : overview.data?.viewer?.organisation;
    shownUnitId = org?.id ?? null;
    if (!org || !org.statistics) throw new Error(overview.errors?.[0]?.message ?? 'this account has no organisation to show');
    const forecast = await graphql(token, FORECAST, { unit: org.id, year });
    renderSummary(overview.data.viewer, org, year);
    renderHeadcount(org.statistics);
    renderDeficit(org);
    renderTraining(org);
    renderForecast(forecast.data?.staffingDemandForecast ?? null);
    $('dashboard').hidden = false;
    const problems = [...(overview.errors ?? []), ...(forecast.errors ?? [])];
    // Partial answers (e.g. one subgraph down) still show what arrived, and say what did not.
    setStatus(problems.length ? `loaded with ${problems.length} problem(s): ${problems[0].message}` : 'loaded', problems.length > 0);
  } catch (error) {
    setStatus(error.message, true);
  }
}

function renderSummary(viewer, org, year) {
  $('unit-name').replaceChildren(`${org.name} (${org.id})`);
  if (location.hash) {
    $('unit-name').append(' ', element('a', { href: '#', id: 'back-link' }, '↑ my organisation'));
  }
  $('active-teachers').textContent = shown(org.statistics.activeTeachers);
  const quota = quotaOf(org);
  $('quota-balance').textContent = quota ? signed(quota.balance) : '—';
  $('quota-year').textContent = `(${year})`;
  const completion = completionOf(org);
  $('completion-rate').textContent = completion?.rate != null ? percent(completion.rate) : '—';
  const suppressed = viewer.role === 'analyst' || /_system_admin$/.test(viewer.role);
  $('suppression-note').hidden = !suppressed;
}

async function mint() {
  setStatus('minting…');
  const response = await fetch('/dashboard/dev-token', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ role: $('mint-role').value, org: $('mint-org').value.trim() }),
  });
  const body = await response.json();
  if (!response.ok) return setStatus(body.error ?? `HTTP ${response.status}`, true);
  $('token').value = body.token;
  setStatus('token minted');
}

document.addEventListener('DOMContentLoaded', () => {
  $('year').value = String(new Date().getFullYear());
  $('token-form').addEventListener('submit', load);
  // Drill-down: following a unit link (or the way back) loads that unit with the same token.
  window.addEventListener('hashchange', () => {
    if ($('token').value.trim()) load();
  });
  if (document.body.dataset.devTokens === 'true') {
    const roles = (document.body.dataset.roles ?? '').split(',').filter(Boolean);
    $('mint-role').replaceChildren(...roles.map((role) => element('option', { value: role }, role)));
    $('mint-role').value = roles.includes('county_query') ? 'county_query' : roles[0];
    $('mint').hidden = false;
    $('mint-button').addEventListener('click', () => mint().catch((error) => setStatus(error.message, true)));
  }
});
