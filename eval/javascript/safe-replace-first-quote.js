function csvCell(value) {
  return '"' + String(value).replace(/"/g, '""') + '"';
}

module.exports = { csvCell };
