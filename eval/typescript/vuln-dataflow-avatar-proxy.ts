// corgi-expect: js-dataflow-ssrf
import axios from "axios";
import { Request, Response } from "express";

export async function avatarProxy(req: Request, res: Response): Promise<void> {
  const source: string = req.query.src as string;
  const upstream = `${source}/avatar.png`;
  const reply = await axios.get(upstream, { responseType: "arraybuffer" });
  res.type("png").send(reply.data);
}
