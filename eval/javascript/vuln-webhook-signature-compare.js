// corgi-expect: js-secret-compare-timing
const crypto = require("crypto");

app.post("/webhooks/billing", (req, res) => {
  const expectedSignature = crypto.createHmac("sha256", process.env.WEBHOOK_KEY).update(req.rawBody).digest("hex");
  if (expectedSignature !== req.headers["x-signature"]) return res.sendStatus(401);
  handleEvent(req.body);
  res.sendStatus(204);
});
