// corgi-expect: js-helmet-protection-disabled
const express = require("express");
const helmet = require("helmet");

const app = express();
app.use(helmet({ contentSecurityPolicy: false, frameguard: false }));

module.exports = app;
