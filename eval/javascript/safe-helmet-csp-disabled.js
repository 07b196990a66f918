const express = require("express");
const helmet = require("helmet");

const app = express();
app.use(helmet({
  contentSecurityPolicy: { directives: { defaultSrc: ["'self'"], imgSrc: ["'self'", "https://cdn.example.com"] } },
}));

module.exports = app;
