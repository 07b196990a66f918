// corgi-expect: js-browser-remote-debugging
const { chromium } = require("playwright");

async function startRenderer() {
  return chromium.launch({
    args: ["--remote-debugging-address=0.0.0.0", "--remote-debugging-port=9222", "--disable-gpu"],
  });
}

module.exports = { startRenderer };
