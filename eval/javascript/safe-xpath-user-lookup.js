const xpath = require("xpath");

app.get("/directory", (req, res) => {
  const id = parseInt(req.query.id, 10);
  const nodes = xpath.select(`//employee[@id=${id}]/phone/text()`, directoryDoc);
  res.json(nodes.map(String));
});
