const OPS = {
  gt: (a, b) => a > b,
  lt: (a, b) => a < b,
  eq: (a, b) => a === b,
};

function applySavedSearch(rows, search) {
  const op = OPS[search.op];
  if (!op) throw new Error("unknown operator");
  return rows.filter((row) => op(row[search.field], search.value));
}

module.exports = { applySavedSearch };
