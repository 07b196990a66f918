// corgi-expect: js-dataflow-ssrf
import got from "got";
import { Request, Response } from "express";

export const importFeed = async ({ body }: Request, res: Response): Promise<void> => {
  const feedUrl: string = body.feedUrl;
  const xml = await got(feedUrl).text();
  res.json({ size: xml.length });
};
