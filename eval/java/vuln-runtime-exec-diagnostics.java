package com.example.admin;

import org.springframework.web.bind.annotation.*;
import java.io.*;

@RestController
public class DiagnosticsController {
    @GetMapping("/admin/diag/traceroute")
    public String traceroute(@RequestParam String host) throws IOException {
        Process p = Runtime.getRuntime().exec("traceroute -m 10 " + host);
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream()))) {
            StringBuilder out = new StringBuilder();
            for (String line; (line = r.readLine()) != null; ) out.append(line).append('\n');
            return out.toString();
        }
    }
}
