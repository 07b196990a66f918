const serialize = require("serialize-javascript");

function renderShell(res, store) {
  const state = serialize(store.getState(), { isJSON: true });
  res.render("shell", { state });
}

module.exports = { renderShell };
