app.put("/me", async (req, res) => {
  const profile = await Profiles.findByPk(req.user.id);
  const { displayName, timezone } = req.body;
  Object.assign(profile, { displayName: String(displayName), timezone: String(timezone) });
  await profile.save();
  res.json(profile);
});
