import { Component, OnInit, SecurityContext } from "@angular/core";
import { ActivatedRoute } from "@angular/router";
import { DomSanitizer } from "@angular/platform-browser";

@Component({ selector: "app-notice", template: `<div class="notice" [innerHTML]="message"></div>` })
export class NoticeComponent implements OnInit {
  message = "";

  constructor(private route: ActivatedRoute, private sanitizer: DomSanitizer) {}

  ngOnInit() {
    const msg = this.route.snapshot.queryParamMap.get("msg") ?? "";
    this.message = this.sanitizer.sanitize(SecurityContext.HTML, msg) ?? "";
  }
}
