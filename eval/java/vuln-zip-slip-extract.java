// corgi-expect: java-zip-slip
package com.example.imports;

import java.io.*;
import java.nio.file.Files;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

public class ThemeInstaller {
    void install(InputStream upload, File themesDir) throws IOException {
        try (ZipInputStream zip = new ZipInputStream(upload)) {
            ZipEntry entry;
            while ((entry = zip.getNextEntry()) != null) {
                File out = new File(themesDir, entry.getName());
                Files.copy(zip, out.toPath());
            }
        }
    }
}
