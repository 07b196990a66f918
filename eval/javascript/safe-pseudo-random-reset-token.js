const crypto = require("crypto");

function newResetToken() {
  return crypto.randomBytes(24).toString("base64url");
}

module.exports = { newResetToken };
