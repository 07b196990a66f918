package com.example.admin;

import org.springframework.web.bind.annotation.*;
import java.io.*;
import java.net.InetAddress;

@RestController
public class DiagnosticsController {
    @GetMapping("/admin/diag/traceroute")
    public String traceroute(@RequestParam String host) throws IOException {
        String address = InetAddress.getByName(host).getHostAddress();
        Process p = new ProcessBuilder("traceroute", "-m", "10", address).redirectErrorStream(true).start();
        return new String(p.getInputStream().readAllBytes());
    }
}
