import axios from "axios";
import { Router } from "express";

export const images = Router();

images.get("/proxy", async (req, res) => {
  const upstream = await axios.get(req.query.src as string, { responseType: "stream", timeout: 5000 });
  res.setHeader("Content-Type", upstream.headers["content-type"] ?? "application/octet-stream");
  upstream.data.pipe(res);
});
