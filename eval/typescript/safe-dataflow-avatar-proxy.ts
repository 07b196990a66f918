import axios from "axios";
import { Request, Response } from "express";

export async function avatarProxy(req: Request, res: Response): Promise<void> {
  const user: string = encodeURIComponent(String(req.query.user));
  const reply = await axios.get(`https://avatars.example.com/u/${user}.png`, { responseType: "arraybuffer" });
  res.type("png").send(reply.data);
}
