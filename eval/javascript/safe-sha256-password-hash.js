const crypto = require("crypto");
const { promisify } = require("util");

const scrypt = promisify(crypto.scrypt);

async function register(req, res) {
  const salt = crypto.randomBytes(16);
  const hash = await scrypt(String(req.body.password), salt, 64);
  await Users.create({ email: String(req.body.email), salt: salt.toString("hex"), hash: hash.toString("hex") });
  res.sendStatus(201);
}

module.exports = { register };
