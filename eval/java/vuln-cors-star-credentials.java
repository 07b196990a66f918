package com.example.api;

import org.springframework.web.bind.annotation.*;

@RestController
@CrossOrigin(origins = "*", allowCredentials = "true", maxAge = 3600)
@RequestMapping("/api/profile")
public class ProfileController {
    @GetMapping
    public Profile me(@AuthenticationPrincipal User user) {
        return Profile.of(user);
    }
}
