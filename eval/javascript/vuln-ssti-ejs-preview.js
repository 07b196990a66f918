// corgi-expect: js-dataflow-template-injection
const ejs = require("ejs");

app.post("/newsletters/preview", (req, res) => {
  const html = ejs.render(req.body.template, { subscriber: { name: "Preview" } });
  res.type("html").send(html);
});
