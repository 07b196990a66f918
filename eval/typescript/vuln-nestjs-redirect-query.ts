// corgi-expect: js-dataflow-redirect
import { Controller, Get, Query, Redirect } from "@nestjs/common";

@Controller("out")
export class OutboundController {
  @Get()
  @Redirect("https://example.com", 302)
  follow(@Query("to") to: string) {
    return { url: to };
  }
}
