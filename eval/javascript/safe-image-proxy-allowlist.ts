import axios from "axios";
import { Router } from "express";

const ALLOWED_HOSTS = new Set(["images.example-cdn.com", "avatars.example.com"]);
export const images = Router();

images.get("/proxy", async (req, res) => {
  let target: URL;
  try {
    target = new URL(String(req.query.src));
  } catch {
    return res.sendStatus(400);
  }
  if (target.protocol !== "https:" || !ALLOWED_HOSTS.has(target.hostname)) return res.sendStatus(403);
  const upstream = await axios.get(target.toString(), { responseType: "stream", timeout: 5000 });
  upstream.data.pipe(res);
});
