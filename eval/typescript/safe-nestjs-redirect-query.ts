import { Controller, Get, Query, Redirect } from "@nestjs/common";

const PARTNERS: Record<string, string> = { docs: "https://docs.example.com", status: "https://status.example.com" };

@Controller("out")
export class OutboundController {
  @Get()
  @Redirect("https://example.com", 302)
  follow(@Query("to") to: string) {
    return { url: PARTNERS[to] ?? "https://example.com" };
  }
}
