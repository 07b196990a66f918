const express = require("express");
const { pool } = require("./db");

const router = express.Router();

router.get("/users/lookup", async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      "SELECT id, email, display_name FROM users WHERE email = $1",
      [req.query.email]
    );
    res.json(rows[0] || null);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
