const crypto = require("crypto");
const cache = new Map();

// Cache key for rendered markdown; not a security boundary.
function renderCached(markdown, render) {
  const key = crypto.createHash("md5").update(markdown).digest("hex");
  if (!cache.has(key)) cache.set(key, render(markdown));
  return cache.get(key);
}

module.exports = { renderCached };
