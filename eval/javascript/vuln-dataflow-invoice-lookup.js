// corgi-expect: js-dataflow-sql
const express = require("express");
const { Pool } = require("pg");

const pool = new Pool();
const router = express.Router();

router.get("/invoices", async (req, res) => {
  const { customer, status } = req.query;
  const filter = `customer_id = '${customer}'`;
  const where = filter + " AND status = '" + status + "'";
  const result = await pool.query("SELECT * FROM invoices WHERE " + where);
  res.json(result.rows);
});

module.exports = router;
