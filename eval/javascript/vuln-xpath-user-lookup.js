// corgi-expect: js-dataflow-xpath
const xpath = require("xpath");

app.get("/directory", (req, res) => {
  const name = req.query.name;
  const nodes = xpath.select(`//employee[login='${name}']/phone/text()`, directoryDoc);
  res.json(nodes.map(String));
});
