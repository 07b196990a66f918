const Sandbox = require("sandbox");
const { evaluate } = require("mathjs");

app.post("/sheets/:id/evaluate", (req, res) => {
  res.json({ value: evaluate(String(req.body.formula)) });
});

app.get("/sheets/selftest", (req, res) => {
  const s = new Sandbox();
  s.run("1 + 1", (output) => res.json({ ok: output.result === "2" }));
});
