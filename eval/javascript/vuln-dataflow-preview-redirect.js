// corgi-expect: js-dataflow-redirect
const express = require("express");
const app = express();

app.get("/preview/done", (req, res) => {
  const returnTo = req.query.return_to;
  const target = returnTo;
  res.redirect(target);
});
