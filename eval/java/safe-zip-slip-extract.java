package com.example.imports;

import java.io.*;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ThemeInstaller {
    void install(InputStream upload, Path themesDir) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(upload)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                Path out = themesDir.resolve(entry.getName()).normalize();
                if (!out.startsWith(themesDir)) {
                    throw new IOException("entry outside the target folder: " + entry.getName());
                }
                Files.copy(zip, out);
            }
        }
    }
}
