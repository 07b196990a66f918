const bcrypt = require("bcrypt");
const User = require("../models/user");

exports.login = async (req, res) => {
  const username = String(req.body.username || "");
  const user = await User.findOne({ username });
  if (!user || !(await bcrypt.compare(String(req.body.password || ""), user.passwordHash))) {
    return res.status(401).json({ error: "invalid login" });
  }
  req.session.uid = user._id;
  res.json({ ok: true });
};
