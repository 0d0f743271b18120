package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {
    @TempDir Path tmp;

    @Test
    void writesAllOrNothingWithOrdinaryPermissions() throws IOException {
        Path out = tmp.resolve("sub/out.txt");
        AtomicFiles.write(out, o -> o.write("hello".getBytes()));
        assertEquals("hello", Files.readString(out));
        if (Files.getFileStore(out).supportsFileAttributeView("posix"))
            assertEquals("rw-r--r--", PosixFilePermissions.toString(Files.getPosixFilePermissions(out)));
        Path failed = tmp.resolve("failed.txt");
        assertThrows(IOException.class, () -> AtomicFiles.write(failed, o -> {
            o.write(1);
            throw new IOException("disk full");
        }));
        assertFalse(Files.exists(failed));
        try (var s = Files.list(tmp)) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
    }
}
