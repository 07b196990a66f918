const path = require("path");
const express = require("express");

const app = express();
const REPORTS = path.join(__dirname, "reports");

app.get("/reports/:name", (req, res) => {
  res.sendFile(path.basename(req.params.name), { root: REPORTS }, (err) => {
    if (err) res.sendStatus(404);
  });
});

app.listen(3000);
