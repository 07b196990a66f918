app.get("/search", (req, res) => {
  res.render("search", { q: String(req.query.q || ""), page: Number(req.query.page) || 1 });
});
