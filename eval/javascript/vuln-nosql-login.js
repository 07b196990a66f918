const User = require("../models/user");

exports.login = async (req, res) => {
  const user = await User.findOne({ username: req.body.username, password: req.body.password });
  if (!user) {
    return res.status(401).json({ error: "invalid login" });
  }
  req.session.uid = user._id;
  res.json({ ok: true });
};
