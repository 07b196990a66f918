const path = require("path");
const express = require("express");

const app = express();
const REPORTS = path.join(__dirname, "reports");

app.get("/reports/:name", (req, res) => {
  res.download(path.join(REPORTS, req.params.name));
});

app.listen(3000);
