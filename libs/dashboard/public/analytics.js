// The analytics view: headline figures, charts and the seller scorecard, each from one mart of GET /v1/marts/:name.
import { apiGet, explain, readMart } from './api.js';
import { $, el, fmt, num, showMessage, td } from './dom.js';

const COLORS = ['#1f5fbf', '#e07b00', '#1b7a3a', '#8e44ad', '#b3261e', '#00838f', '#6d4c41', '#5b6475'];
const compact = new Intl.NumberFormat('en-US', { notation: 'compact', maximumFractionDigits: 1 });
const sum = (rows, column) => rows.reduce((total, row) => total + (row[column] ?? 0), 0);

/** Figures over all months: from the marts' own columns, nothing recomputed from facts. */
export const headlineFigures = (monthly, delivery, reviews) => {
  const delivered = sum(delivery, 'delivered_orders');
  const scored = sum(reviews, 'reviews');
  return {
    orders: sum(monthly, 'orders'),
    gmv: Math.round(sum(monthly, 'gmv') * 100) / 100,
    revenue: Math.round(sum(monthly, 'revenue') * 100) / 100,
    onTimePct: delivered > 0 ? 100 * (1 - sum(delivery, 'late_orders') / delivered) : null,
    avgReview: scored > 0 ? reviews.reduce((total, r) => total + (r.avg_score ?? 0) * r.reviews, 0) / scored : null,
  };
};

/** mart.delivery_performance (month × state) summed per state, the states with most deliveries first. */
export const deliveryByState = (rows) => {
  const states = new Map();
  for (const row of rows) {
    const s = states.get(row.customer_state) ?? { state: row.customer_state, delivered: 0, late: 0, days: 0 };
    s.delivered += row.delivered_orders;
    s.late += row.late_orders;
    s.days += (row.avg_delivery_days ?? 0) * row.delivered_orders;
    states.set(row.customer_state, s);
  }
  return [...states.values()]
    .map((s) => ({ state: s.state, delivered: s.delivered, onTimePct: 100 * (1 - s.late / s.delivered), avgDays: s.days / s.delivered }))
    .sort((a, b) => b.delivered - a.delivered || a.state.localeCompare(b.state));
};

const base = {
  animation: false,
  aria: { enabled: true },
  color: COLORS,
  textStyle: { fontFamily: 'system-ui, sans-serif' },
};

const charts = new Map();

const render = (id, mart, option) => {
  const node = document.getElementById(id);
  const chart = globalThis.echarts.getInstanceByDom(node) ?? globalThis.echarts.init(node, null, { renderer: 'canvas' });
  node.dataset.mart = mart;
  node.dataset.state = 'rendering';
  chart.off('finished');
  chart.on('finished', () => {
    node.dataset.state = 'ready';
  });
  chart.setOption({ ...base, ...option }, { notMerge: true });
  charts.set(id, chart);
};

const failed = (id, message) => {
  const node = document.getElementById(id);
  globalThis.echarts.getInstanceByDom(node)?.dispose();
  node.dataset.state = 'error';
  node.replaceChildren(el('p', { class: 'message error', role: 'alert' }, message));
};

export const resizeCharts = () => {
  for (const chart of charts.values()) chart.resize();
};

const monthlyRevenueChart = (rows) =>
  render('chart-monthly-revenue', 'monthly_revenue', {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.money(v) },
    legend: { top: 0 },
    grid: { left: 70, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: rows.map((r) => r.month.slice(0, 7)) },
    yAxis: [
      { type: 'value', name: 'Revenue (R$)', axisLabel: { formatter: (v) => compact.format(v) } },
      { type: 'value', name: 'Orders', splitLine: { show: false } },
    ],
    series: [
      { id: 'revenue', name: 'Revenue (R$)', type: 'bar', yAxisIndex: 0, data: rows.map((r) => r.revenue) },
      { id: 'orders', name: 'Orders', type: 'line', yAxisIndex: 1, data: rows.map((r) => r.orders), symbolSize: 6 },
    ],
  });

const deliveryChart = (states) =>
  render('chart-delivery-states', 'delivery_performance', {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.days(v) },
    legend: { top: 0 },
    grid: { left: 60, right: 60, top: 40, bottom: 30 },
    xAxis: { type: 'category', data: states.map((s) => s.state), axisLabel: { interval: 0 } },
    yAxis: [
      { type: 'value', name: 'On time (%)', min: 0, max: 100 },
      { type: 'value', name: 'Days', splitLine: { show: false } },
    ],
    series: [
      { id: 'on_time_pct', name: 'Delivered on time (%)', type: 'bar', yAxisIndex: 0, data: states.map((s) => s.onTimePct) },
      { id: 'avg_delivery_days', name: 'Average delivery days', type: 'line', yAxisIndex: 1, data: states.map((s) => s.avgDays), symbolSize: 6 },
    ],
  });

const categoriesChart = (rows) =>
  render('chart-categories', 'category_performance', {
    tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' }, valueFormatter: (v) => fmt.money(v) },
    grid: { left: 190, right: 70, top: 10, bottom: 30 },
    yAxis: { type: 'category', inverse: true, data: rows.map((r) => r.category), axisLabel: { interval: 0 } },
    xAxis: { type: 'value', name: 'GMV (R$)', axisLabel: { formatter: (v) => compact.format(v) } },
    series: [{
      id: 'gmv', name: 'GMV (R$)', type: 'bar', data: rows.map((r) => r.gmv),
      label: { show: true, position: 'right', formatter: ({ value }) => compact.format(value) },
    }],
  });

const reviewDelayChart = (rows) =>
  render('chart-review-delay', 'review_vs_delivery', {
    tooltip: { trigger: 'axis', valueFormatter: (v) => fmt.score(v) },
    legend: { top: 0 },
    grid: { left: 50, right: 55, top: 40, bottom: 60 },
    xAxis: { type: 'category', data: rows.map((r) => r.delay_bucket), axisLabel: { interval: 0, rotate: 30 } },
    yAxis: [
      { type: 'value', name: 'Score', min: 0, max: 5 },
      { type: 'value', name: 'Low (%)', min: 0, max: 100, splitLine: { show: false } },
    ],
    series: [
      { id: 'avg_score', name: 'Average score (1-5)', type: 'bar', yAxisIndex: 0, data: rows.map((r) => r.avg_score) },
      { id: 'low_score_pct', name: 'Scores 1-2 (%)', type: 'line', yAxisIndex: 1, data: rows.map((r) => r.low_score_pct), symbolSize: 6 },
    ],
  });

const paymentMixChart = (rows) =>
  render('chart-payment-mix', 'payment_mix', {
    tooltip: { trigger: 'item', valueFormatter: (v) => fmt.brl(v) },
    legend: { orient: 'vertical', left: 0, top: 'middle' },
    series: [{
      id: 'value', name: 'Payment value (R$)', type: 'pie', radius: ['35%', '70%'], center: ['60%', '50%'],
      label: { formatter: '{b}: {d}%' },
      data: rows.map((r) => ({ name: r.payment_type, value: r.value })),
    }],
  });

const sellerTable = (rows) => {
  const body = $('#seller-scorecard tbody');
  body.replaceChildren(...rows.map((r) => el('tr', { 'data-seller-id': r.seller_id },
    num(r.gmv_rank), td(r.seller_id, { class: 'mono' }), td(r.seller_city ?? '–'), td(r.seller_state ?? '–'),
    num(fmt.money(r.gmv)), num(fmt.count(r.orders)), num(fmt.count(r.items)),
    num(fmt.pct(r.on_time_pct)), num(fmt.score(r.avg_review)), num(fmt.days(r.avg_days_to_carrier)))));
  $('#seller-scorecard').dataset.state = 'ready';
};

const FIGURES = [
  ['figure-orders', 'orders', fmt.count],
  ['figure-gmv', 'gmv', fmt.brl],
  ['figure-revenue', 'revenue', fmt.brl],
  ['figure-on-time', 'onTimePct', fmt.pct],
  ['figure-review', 'avgReview', fmt.score],
];

const showFigures = (figures) => {
  for (const [id, name, format] of FIGURES) {
    const node = document.getElementById(id);
    node.textContent = format(figures[name]);
    node.dataset.value = String(figures[name]);
    node.dataset.state = 'ready';
  }
};

/** Reads the marts the view needs and draws it; a mart that cannot be read says why where it would be. */
export const loadAnalytics = async () => {
  const message = $('#analytics-message');
  showMessage(message, '');
  $('#analytics').dataset.state = 'loading';
  const read = (name, params) => readMart(name, params).then((page) => ({ ok: true, page }), (error) => ({ ok: false, error }));
  const [monthly, delivery, categories, reviews, payments, sellers] = await Promise.all([
    read('monthly_revenue'),
    read('delivery_performance'),
    apiGet('/v1/marts/category_performance', { limit: 20 }).then((page) => ({ ok: true, page }), (error) => ({ ok: false, error })),
    read('review_vs_delivery'),
    read('payment_mix'),
    apiGet('/v1/marts/seller_scorecard', { limit: 20 }).then((page) => ({ ok: true, page }), (error) => ({ ok: false, error })),
  ]);
  const refusal = [monthly, delivery, categories, reviews, payments, sellers].find((r) => !r.ok);
  if (refusal) {
    const text = explain(refusal.error, 'the marts');
    showMessage(message, text, { error: true });
    for (const id of ['chart-monthly-revenue', 'chart-delivery-states', 'chart-categories', 'chart-review-delay', 'chart-payment-mix']) failed(id, text);
    for (const [id] of FIGURES) Object.assign(document.getElementById(id), { textContent: '–' }).dataset.state = 'error';
    $('#seller-scorecard').dataset.state = 'error';
    $('#analytics').dataset.state = 'error';
    return;
  }
  const refresh = monthly.page.refresh;
  $('#analytics-refresh').textContent =
    `Marts as of refresh ${refresh.sequence} (${fmt.time(refresh.refreshedAt)}), built from ${fmt.count(refresh.eventsProjected)} events.`;
  showFigures(headlineFigures(monthly.page.rows, delivery.page.rows, reviews.page.rows));
  monthlyRevenueChart(monthly.page.rows);
  deliveryChart(deliveryByState(delivery.page.rows));
  categoriesChart(categories.page.rows);
  reviewDelayChart(reviews.page.rows);
  paymentMixChart(payments.page.rows);
  sellerTable(sellers.page.rows);
  $('#analytics').dataset.state = 'ready';
};
