// corgi-expect: js-dataflow-mass-assignment
app.put("/me", async (req, res) => {
  const profile = await Profiles.findByPk(req.user.id);
  Object.assign(profile, req.body);
  await profile.save();
  res.json(profile);
});
