const TOPICS = new Set(["billing", "security", "shortcuts"]);

app.get("/help/:topic", (req, res) => {
  const topic = TOPICS.has(req.params.topic) ? req.params.topic : "index";
  res.render("help/" + topic, { user: req.user });
});
