// corgi-expect: js-sequelize-no-tls
module.exports = {
  production: {
    username: process.env.DB_USER,
    password: process.env.DB_PASSWORD,
    database: "billing",
    host: process.env.DB_HOST,
    dialect: "postgres",
  },
};
