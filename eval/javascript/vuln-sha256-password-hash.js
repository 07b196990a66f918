// corgi-expect: js-fast-hash-password
const crypto = require("crypto");

async function register(req, res) {
  const salt = crypto.randomBytes(16).toString("hex");
  const hash = crypto.createHash("sha256").update(salt + req.body.password).digest("hex");
  await Users.create({ email: String(req.body.email), salt, hash });
  res.sendStatus(201);
}

module.exports = { register };
