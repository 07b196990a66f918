const bcrypt = require("bcrypt");

async function register(db, email, password) {
  const passwordHash = await bcrypt.hash(password, 12);
  await db.insert("users", { email, password_hash: passwordHash });
}

module.exports = { register };
