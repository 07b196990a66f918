package com.example.attachments

import org.springframework.http.HttpStatus
import org.springframework.web.bind.annotation.*
import org.springframework.web.server.ResponseStatusException
import java.nio.file.Files
import java.nio.file.Path

@RestController
class AttachmentController {
    private val baseDir: Path = Path.of("/var/app/attachments").toAbsolutePath().normalize()

    @GetMapping("/attachments/{id}")
    fun download(@PathVariable id: Long, repo: AttachmentRepository): ByteArray {
        val stored = repo.findById(id).orElseThrow { ResponseStatusException(HttpStatus.NOT_FOUND) }
        return Files.readAllBytes(baseDir.resolve(stored.storageKey))
    }
}
