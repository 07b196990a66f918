// corgi-expect: js-dataflow-path
app.get("/help/:topic", (req, res) => {
  const topic = req.params.topic;
  res.render("help/" + topic, { user: req.user });
});
