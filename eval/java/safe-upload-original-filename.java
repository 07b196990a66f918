package com.example.files;

import java.nio.file.*;
import java.util.UUID;
import org.springframework.web.bind.annotation.*;
import org.springframework.web.multipart.MultipartFile;

@RestController
public class UploadController {
    @PostMapping("/upload")
    public String upload(@RequestParam("file") MultipartFile file) throws Exception {
        Path target = Paths.get("/srv/uploads", UUID.randomUUID() + ".bin");
        file.transferTo(target);
        return "ok";
    }
}
