// corgi-expect: js-dataflow-dynamic-require
app.get("/reports/:kind", (req, res) => {
  const builder = require("./reports/" + req.params.kind);
  res.json(builder.build(req.user));
});
