// corgi-expect: js-dataflow-render-options
app.get("/search", (req, res) => {
  res.render("search", req.query);
});
