module.exports = function loadProfile(req, res, next) {
  if (req.signedCookies.profile) {
    try {
      req.profile = JSON.parse(Buffer.from(req.signedCookies.profile, "base64").toString());
    } catch {
      req.profile = {};
    }
  }
  next();
};
