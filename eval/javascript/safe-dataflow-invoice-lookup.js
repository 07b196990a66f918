const express = require("express");
const { Pool } = require("pg");

const pool = new Pool();
const router = express.Router();

router.get("/invoices", async (req, res) => {
  const { customer, status } = req.query;
  const result = await pool.query(
    "SELECT * FROM invoices WHERE customer_id = $1 AND status = $2",
    [customer, status]
  );
  res.json(result.rows);
});

module.exports = router;
