// corgi-expect: js-replace-first-occurrence-only
function csvCell(value) {
  return '"' + String(value).replace('"', '""') + '"';
}

module.exports = { csvCell };
