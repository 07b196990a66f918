const serialize = require("node-serialize");

module.exports = function loadProfile(req, res, next) {
  if (req.cookies.profile) {
    const raw = Buffer.from(req.cookies.profile, "base64").toString();
    req.profile = serialize.unserialize(raw);
  }
  next();
};
