// corgi-expect: js-gcm-decipher-without-tag-length
const crypto = require("crypto");

function openEnvelope(key, { iv, tag, data }) {
  const decipher = crypto.createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(data, "base64")), decipher.final()]).toString("utf8");
}

module.exports = { openEnvelope };
