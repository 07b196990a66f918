// corgi-expect: js-jwt-whole-record-payload
const jwt = require("jsonwebtoken");

async function login(req, res) {
  const user = await Users.findOne({ where: { email: String(req.body.email) } });
  if (!user || !(await user.checkPassword(req.body.password))) return res.sendStatus(401);
  const token = jwt.sign(user.toJSON(), process.env.JWT_KEY, { expiresIn: "1h" });
  res.json({ token });
}

module.exports = { login };
