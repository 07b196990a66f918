package com.example.export;

import org.springframework.web.bind.annotation.*;
import java.io.IOException;
import java.nio.file.*;

@RestController
public class ExportController {
    private static final Path EXPORTS = Paths.get("/var/app/exports");

    @GetMapping("/exports/download")
    public byte[] download(@RequestParam("file") String fileName) throws IOException {
        return Files.readAllBytes(EXPORTS.resolve(fileName));
    }
}
