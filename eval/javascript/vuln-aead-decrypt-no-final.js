// corgi-expect: js-aead-decipher-without-final
const crypto = require("crypto");

function decryptToken(key, sealed) {
  const raw = Buffer.from(sealed, "base64url");
  const iv = raw.subarray(0, 12);
  const tag = raw.subarray(12, 28);
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, iv);
  decipher.setAuthTag(tag);
  const plain = decipher.update(raw.subarray(28));
  return JSON.parse(plain.toString("utf8"));
}

module.exports = { decryptToken };
