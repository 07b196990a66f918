app.use((err, req, res, next) => {
  req.log.error({ err, requestId: req.id }, "unhandled error");
  res.status(500).json({ message: "Something went wrong", requestId: req.id });
});
