package com.example.integrations;

import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.client.RestTemplate;

@RestController
@RequestMapping("/integrations")
public class WebhookTestController {
    private final RestTemplate restTemplate = new RestTemplate();

    @PostMapping("/webhooks/test")
    public ResponseEntity<String> test(@RequestParam("url") String callbackUrl) {
        ResponseEntity<String> resp = restTemplate.postForEntity(callbackUrl, "{\"ping\":true}", String.class);
        return ResponseEntity.ok("status " + resp.getStatusCodeValue());
    }
}
