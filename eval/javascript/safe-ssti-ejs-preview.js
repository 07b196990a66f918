const ejs = require("ejs");
const path = require("path");

app.post("/newsletters/preview", async (req, res) => {
  const html = await ejs.renderFile(path.join(__dirname, "views", "newsletter.ejs"), { body: String(req.body.text) });
  res.type("html").send(html);
});
