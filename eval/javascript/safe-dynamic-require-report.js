const BUILDERS = {
  monthly: require("./reports/monthly"),
  yearly: require("./reports/yearly"),
};

app.get("/reports/:kind", (req, res) => {
  const builder = BUILDERS[req.params.kind];
  if (!builder) return res.sendStatus(404);
  res.json(builder.build(req.user));
});
