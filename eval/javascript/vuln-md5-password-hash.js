const crypto = require("crypto");

async function register(db, email, password) {
  const passwordHash = crypto.createHash("md5").update(password).digest("hex");
  await db.insert("users", { email, password_hash: passwordHash });
}

module.exports = { register };
