// corgi-expect: js-serialize-javascript-unsafe
const serialize = require("serialize-javascript");

function renderShell(res, store) {
  const state = serialize(store.getState(), { unsafe: true });
  res.send(`<!doctype html><div id="root"></div><script>window.__STATE__ = ${state}</script>`);
}

module.exports = { renderShell };
