const { chromium } = require("playwright");

async function startRenderer() {
  return chromium.launch({
    args: ["--disable-gpu", "--font-render-hinting=none"],
  });
}

module.exports = { startRenderer };
