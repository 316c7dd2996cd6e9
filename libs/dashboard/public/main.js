// Sign-in, the two views (#analytics, #operations) and their loading. No inline script: CSP allows same-origin files only.
import { apiGet, forgetKey, onUnauthenticated, storedKey, storeKey } from './api.js';
import { loadAnalytics, resizeCharts } from './analytics.js';
import { $, showMessage } from './dom.js';
import { loadOperations } from './operations.js';

const VIEWS = { analytics: loadAnalytics, operations: loadOperations };
const loaded = new Set();

const currentView = () => (location.hash === '#operations' ? 'operations' : 'analytics');

const showSignIn = (message = '') => {
  for (const name of Object.keys(VIEWS)) $(`#${name}`).hidden = true;
  $('#session').hidden = true;
  $('#sign-in').hidden = false;
  showMessage($('#sign-in-message'), message, { error: true });
  $('#api-key').focus();
};

const showView = async () => {
  const key = storedKey();
  if (!key) return showSignIn();
  $('#sign-in').hidden = true;
  $('#session').hidden = false;
  $('#session-key').textContent = `Key ${key.slice(0, 12)}…`;
  const name = currentView();
  for (const [view] of Object.entries(VIEWS)) {
    $(`#${view}`).hidden = view !== name;
    const link = $(`#nav-${view}`);
    if (view === name) link.setAttribute('aria-current', 'page');
    else link.removeAttribute('aria-current');
  }
  // Charts are drawn once their view is visible (a hidden element has no size); a view is read once per sign-in.
  if (loaded.has(name)) {
    if (name === 'analytics') resizeCharts();
    return;
  }
  loaded.add(name);
  try {
    await VIEWS[name]();
  } catch (error) {
    loaded.delete(name);
    $(`#${name}`).dataset.state = 'error';
    showMessage($(`#${name === 'analytics' ? 'analytics' : 'runs'}-message`), `This view could not be loaded: ${error.message}`, { error: true });
  }
};

const signOut = (message) => {
  forgetKey();
  loaded.clear();
  showSignIn(message);
};

onUnauthenticated((error) => signOut(`The API refused the key: ${error.message}.`));

$('#sign-in-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  const key = $('#api-key').value.trim();
  try {
    // Any working key may read the projection status (every role is admitted), so it tells a key the API knows.
    await apiGet('/v1/projections/status', {}, key);
  } catch (error) {
    showMessage($('#sign-in-message'), error.status === 401 ? `The API refused the key: ${error.message}.` : `Cannot sign in: ${error.message}`, { error: true });
    return;
  }
  $('#api-key').value = '';
  storeKey(key);
  await showView();
});

$('#sign-out').addEventListener('click', () => signOut(''));
window.addEventListener('hashchange', () => void showView());
window.addEventListener('resize', () => resizeCharts());

void showView();
