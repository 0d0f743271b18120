package org.synesthesia.testing;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A small or read-only file system for tests of full disks and read-only folders: a tmpfs mounted at a folder
 * ({@code mount -t tmpfs -o size=N}). Needs root with mount rights (containers, CI runners as root); elsewhere the
 * test is skipped with a message. {@link #close()} unmounts it.
 */
public final class SmallDisk implements AutoCloseable {
    private final Path dir;

    private SmallDisk(Path dir) {
        this.dir = dir;
    }

    /** A tmpfs of {@code kib} KiB at {@code dir} (created); {@code readOnly}: mounted read-only. */
    public static SmallDisk mount(Path dir, int kib, boolean readOnly) throws IOException, InterruptedException {
        assumeTrue(!System.getProperty("os.name", "").toLowerCase().contains("win"), "tmpfs needs Linux");
        Files.createDirectories(dir);
        int rc;
        try {
            Process p = new ProcessBuilder("mount", "-t", "tmpfs", "-o", (readOnly ? "ro," : "") + "size=" + kib + "k", "tmpfs", dir.toString())
                    .redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            rc = p.waitFor(10, TimeUnit.SECONDS) ? p.exitValue() : -1;
        } catch (IOException e) {
            rc = -1;
        }
        assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root with mount rights): full-disk and read-only cases not tried");
        return new SmallDisk(dir);
    }

    public Path dir() {
        return dir;
    }

    @Override
    public void close() throws IOException, InterruptedException {
        Process p = new ProcessBuilder("umount", dir.toString()).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor(10, TimeUnit.SECONDS);
    }
}
