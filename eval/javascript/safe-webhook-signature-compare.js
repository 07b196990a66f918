const crypto = require("crypto");

app.post("/webhooks/billing", (req, res) => {
  const expected = crypto.createHmac("sha256", process.env.WEBHOOK_KEY).update(req.rawBody).digest();
  const given = Buffer.from(String(req.headers["x-signature"] || ""), "hex");
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected)) return res.sendStatus(401);
  handleEvent(req.body);
  res.sendStatus(204);
});
