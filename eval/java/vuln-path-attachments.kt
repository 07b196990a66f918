package com.example.attachments

import org.springframework.web.bind.annotation.*
import java.io.File

@RestController
class AttachmentController {
    private val baseDir = File("/var/app/attachments")

    @GetMapping("/attachments/{name}")
    fun download(@PathVariable name: String): ByteArray =
        File(baseDir, name).readBytes()
}
