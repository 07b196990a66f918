const jwt = require("jsonwebtoken");

module.exports = function authenticate(req, res, next) {
  const header = req.get("Authorization") || "";
  const token = header.replace(/^Bearer /, "");
  const payload = jwt.decode(token);
  if (!payload || !payload.sub) return res.sendStatus(401);
  req.user = { id: payload.sub, roles: payload.roles || [] };
  next();
};
