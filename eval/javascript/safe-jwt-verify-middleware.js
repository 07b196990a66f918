const jwt = require("jsonwebtoken");
const { publicKey } = require("../config");

module.exports = function authenticate(req, res, next) {
  const token = (req.get("Authorization") || "").replace(/^Bearer /, "");
  try {
    const payload = jwt.verify(token, publicKey, { algorithms: ["RS256"], audience: "api" });
    req.user = { id: payload.sub, roles: payload.roles || [] };
    next();
  } catch {
    res.sendStatus(401);
  }
};
