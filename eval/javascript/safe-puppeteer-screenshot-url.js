const express = require("express");
const puppeteer = require("puppeteer");

const router = express.Router();
const REPORT_PAGES = { daily: "https://reports.example.com/daily", weekly: "https://reports.example.com/weekly" };

router.get("/screenshot", async (req, res) => {
  const browser = await puppeteer.launch();
  const page = await browser.newPage();
  await page.goto(REPORT_PAGES[req.query.report] || "https://reports.example.com/daily", { waitUntil: "networkidle2" });
  const png = await page.screenshot();
  await browser.close();
  res.type("png").send(png);
});

module.exports = router;
