// DOM and number helpers. Text goes in with textContent only: the quarantine shows source values as they came.

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const money = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const oneDecimal = new Intl.NumberFormat('en-US', { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const twoDecimals = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

const missing = (v) => v === null || v === undefined || Number.isNaN(v);
export const fmt = {
  count: (v) => (missing(v) ? '–' : number.format(v)),
  brl: (v) => (missing(v) ? '–' : `R$ ${money.format(v)}`),
  money: (v) => (missing(v) ? '–' : money.format(v)),
  pct: (v) => (missing(v) ? '–' : `${oneDecimal.format(v)} %`),
  score: (v) => (missing(v) ? '–' : twoDecimals.format(v)),
  days: (v) => (missing(v) ? '–' : oneDecimal.format(v)),
  time: (v) => (v ? new Date(v).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC') : '–'),
  shortId: (v) => (v ? String(v).slice(0, 8) : '–'),
};

export const $ = (selector, root = document) => root.querySelector(selector);

/** An element with attributes (`class`, `data-*`, …) and children (strings become text). */
export const el = (tag, attributes = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === undefined || value === null || value === false) continue;
    if (name === 'class') node.className = value;
    else node.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children.flat()) if (child !== undefined && child !== null) node.append(child instanceof Node ? child : String(child));
  return node;
};

/** A table cell; numbers right-aligned. */
export const td = (text, attributes = {}) => el('td', attributes, text);
export const num = (text, attributes = {}) => el('td', { ...attributes, class: `num ${attributes.class ?? ''}`.trim() }, text);

export const showMessage = (node, text, { error = false } = {}) => {
  node.textContent = text;
  node.classList.toggle('error', error);
  node.hidden = !text;
};
