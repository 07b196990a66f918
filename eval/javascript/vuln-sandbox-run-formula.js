// corgi-expect: js-dataflow-sandbox-code
const Sandbox = require("sandbox");

app.post("/sheets/:id/evaluate", (req, res) => {
  const s = new Sandbox();
  s.run("(function(){ return " + req.body.formula + "; })()", (output) => res.json({ value: output.result }));
});
