// corgi-expect: js-dataflow-headless-browser
const express = require("express");
const puppeteer = require("puppeteer");

const router = express.Router();

router.get("/screenshot", async (req, res) => {
  const browser = await puppeteer.launch();
  const page = await browser.newPage();
  const target = req.query.url;
  await page.goto(target, { waitUntil: "networkidle2" });
  const png = await page.screenshot();
  await browser.close();
  res.type("png").send(png);
});

module.exports = router;
