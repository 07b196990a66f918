import { Request, Response } from "express";
import { authenticate } from "../auth";

function safeReturnPath(value: unknown): string {
  const s = typeof value === "string" ? value : "/";
  return s.startsWith("/") && !s.startsWith("//") ? s : "/";
}

export async function login(req: Request, res: Response) {
  const user = await authenticate(req.body.email, req.body.password);
  if (!user) return res.status(401).render("login", { error: "Invalid credentials" });
  req.session.userId = user.id;
  res.redirect(safeReturnPath(req.query.returnTo));
}
