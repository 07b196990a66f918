import got from "got";
import { Request, Response } from "express";

const FEEDS: Record<string, string> = { news: "https://news.example.com/rss", blog: "https://blog.example.com/feed" };

export const importFeed = async ({ body }: Request, res: Response): Promise<void> => {
  const feedUrl = FEEDS[String(body.feed)];
  if (!feedUrl) {
    res.sendStatus(400);
    return;
  }
  const xml = await got(feedUrl).text();
  res.json({ size: xml.length });
};
