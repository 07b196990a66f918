const got = require("got");
const config = require("./config");

app.get("/catalog/:sku", async (req, res) => {
  const item = await got(config.catalogApi.baseUrl + "/items/" + encodeURIComponent(req.params.sku)).json();
  res.json(item);
});

app.get("/go/:page", (req, res) => {
  res.redirect(config.siteRoot + "/docs/" + encodeURIComponent(req.params.page));
});
