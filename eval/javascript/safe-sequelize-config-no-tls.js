const fs = require("fs");

module.exports = {
  production: {
    username: process.env.DB_USER,
    password: process.env.DB_PASSWORD,
    database: "billing",
    host: process.env.DB_HOST,
    dialect: "postgres",
    dialectOptions: {
      ssl: { require: true, rejectUnauthorized: true, ca: fs.readFileSync("/etc/ssl/rds-ca.pem", "utf8") },
    },
  },
};
