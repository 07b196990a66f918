// corgi-expect: js-pseudo-random-bytes
const crypto = require("crypto");

function newResetToken() {
  return crypto.pseudoRandomBytes(24).toString("base64url");
}

module.exports = { newResetToken };
