function buildFilter(expression) {
  // expression comes from the saved-search form, e.g. "row.total > 100 && row.country == 'FR'"
  return new Function("row", "return (" + expression + ");");
}

function applySavedSearch(rows, search) {
  const predicate = buildFilter(search.expression);
  return rows.filter(predicate);
}

module.exports = { applySavedSearch };
