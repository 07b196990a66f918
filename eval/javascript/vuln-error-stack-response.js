// corgi-expect: js-error-stack-in-response
app.use((err, req, res, next) => {
  res.status(500).json({ message: "Something went wrong", detail: err.stack });
});
