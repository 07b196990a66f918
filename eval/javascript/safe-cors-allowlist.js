const express = require("express");
const cors = require("cors");

const app = express();
const allowed = ["https://app.example.com", "https://admin.example.com"];
app.use(
  cors({
    origin: allowed,
    credentials: true,
    methods: ["GET", "POST", "PUT", "DELETE"],
  })
);
app.use("/api", require("./api"));
app.listen(8080);
