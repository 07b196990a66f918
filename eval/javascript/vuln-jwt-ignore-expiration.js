// corgi-expect: js-jwt-ignore-expiration
const jwt = require("jsonwebtoken");

function authenticate(req, res, next) {
  const token = String(req.headers.authorization || "").replace(/^Bearer /, "");
  try {
    req.user = jwt.verify(token, process.env.JWT_PUBLIC_KEY, { algorithms: ["RS256"], ignoreExpiration: true });
    next();
  } catch {
    res.sendStatus(401);
  }
}

module.exports = { authenticate };
