const express = require("express");
const app = express();

app.get("/preview/done", (req, res) => {
  const id = Number(req.query.id);
  res.redirect("/previews/" + id);
});
