package com.example.integrations;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.client.RestTemplate;

@RestController
@RequestMapping("/integrations")
public class WebhookTestController {
    private final RestTemplate restTemplate = new RestTemplate();
    private final WebhookRepository webhooks;

    public WebhookTestController(WebhookRepository webhooks) { this.webhooks = webhooks; }

    @PostMapping("/webhooks/{id}/test")
    public ResponseEntity<String> test(@PathVariable long id) {
        Webhook hook = webhooks.findVerified(id);
        ResponseEntity<String> resp = restTemplate.postForEntity(hook.getUrl(), "{\"ping\":true}", String.class);
        return ResponseEntity.ok("status " + resp.getStatusCodeValue());
    }
}
