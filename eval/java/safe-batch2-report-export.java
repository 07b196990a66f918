package com.example.export;

import org.springframework.web.bind.annotation.*;
import java.io.IOException;
import java.nio.file.*;

@RestController
public class ExportController {
    private static final Path EXPORTS = Paths.get("/var/app/exports").toAbsolutePath().normalize();

    @GetMapping("/exports/download")
    public byte[] download(@RequestParam("file") String fileName) throws IOException {
        Path target = EXPORTS.resolve(Paths.get(fileName).getFileName()).normalize();
        if (!target.startsWith(EXPORTS)) throw new IllegalArgumentException("bad path");
        return Files.readAllBytes(target);
    }
}
