const express = require("express");
const cors = require("cors");

const app = express();
app.use(
  cors({
    origin: true,
    credentials: true,
    methods: ["GET", "POST", "PUT", "DELETE"],
  })
);
app.use("/api", require("./api"));
app.listen(8080);
