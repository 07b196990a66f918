const cors = require("cors");

const allowedOrigins = [
  /^https:\/\/app\.example\.com$/,
  /^https:\/\/admin\.example\.com$/,
];

app.use(cors({ origin: allowedOrigins, credentials: true }));
