package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SmallDisk;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

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
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.write(failed, o -> {
            o.write(1);
            throw new IOException("disk full");
        }));
        assertEquals(failed + ": cannot write: disk full", e.getMessage());
        assertFalse(Files.exists(failed));
        assertEquals(List.of("out.txt"), names(tmp.resolve("sub")), "no temporary file left");
        assertEquals(List.of("sub"), names(tmp));
    }

    @Test
    void aFolderAsTargetIsRefusedBeforeAnyWork() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("out.gguf"));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.checkWritable(dir));
        assertEquals(dir + ": is a folder; give a file name to write", e.getMessage());
        assertThrows(SynesthesiaException.class, () -> AtomicFiles.write(dir, o -> o.write(1)));
        Path file = Files.writeString(tmp.resolve("file"), "x");
        e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.checkWritable(file.resolve("sub/out.gguf")));
        assertTrue(e.getMessage().endsWith("cannot write: " + file + " is not a folder"), e.getMessage());
        AtomicFiles.checkWritable(tmp.resolve("new/folder/out.gguf")); // parents are created when written
        assertFalse(Files.exists(tmp.resolve("new")), "the check creates nothing");
        assertEquals(List.of("file", "out.gguf"), names(tmp), "the check leaves no probe behind");
    }

    /** A full disk: one line naming the target and the reason, no output, no temporary file. */
    @Test
    void aFullDiskIsOneLineAndLeavesNothing() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 64, false)) {
            Path out = disk.dir().resolve("big.bin");
            AtomicFiles.checkWritable(out); // there is room for a file, just not for 1 MiB
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.write(out, o -> o.write(new byte[1 << 20])));
            assertEquals(out + ": cannot write: No space left on device", e.getMessage());
            assertEquals(List.of(), names(disk.dir()));
        }
    }

    @Test
    void aReadOnlyFolderIsRefusedBeforeAnyWork() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("ro"), 64, true)) {
            Path out = disk.dir().resolve("x.gguf");
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.checkWritable(out));
            assertTrue(e.getMessage().startsWith(out + ": cannot write: Read-only file system"), e.getMessage());
            e = assertThrows(SynesthesiaException.class, () -> AtomicFiles.write(out, o -> o.write(1)));
            assertTrue(e.getMessage().startsWith(out + ": cannot write: Read-only file system"), e.getMessage());
        }
    }

    /** Legacy-form leftovers ({@code .NAME.DIGITS.tmp}) beside the target: named when recent, removed when old. */
    @Test
    void staleTemporaryFilesOfTheTargetAreNamedOrSwept() throws IOException {
        Path recent = Files.writeString(tmp.resolve(".x.gguf.123.tmp"), "half a model");
        Path old = Files.writeString(tmp.resolve(".x.gguf.4567.tmp"), "half a model");
        Files.setLastModifiedTime(old, FileTime.fromMillis(System.currentTimeMillis() - 2 * AtomicFiles.STALE_AFTER_MS));
        Path other = Files.writeString(tmp.resolve(".notes.txt.99.tmp"), "not about x.gguf");
        String said = captured(() -> AtomicFiles.write(tmp.resolve("x.gguf"), o -> o.write(1)));
        assertTrue(Files.exists(recent), "a recent one may belong to a run still going");
        assertFalse(Files.exists(old));
        assertTrue(Files.exists(other), "only the target's own leftovers are touched");
        assertTrue(said.lines().anyMatch(l -> l.equals("note: " + recent
                + " looks like an unfinished x.gguf from an interrupted run; delete it unless another program is writing x.gguf")), said);
        assertTrue(said.lines().anyMatch(l -> l.startsWith("removed " + old + ", an unfinished x.gguf left by an interrupted run")), said);
        assertEquals(2, said.lines().count(), said);
    }

    /** {@code .NAME.PID-N.tmp} of a process that is gone (killed with SIGKILL) is removed on the next write there. */
    @Test
    void temporaryFilesOfDeadProcessesAreSwept() throws Exception {
        Process p = new ProcessBuilder("java", "-version").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        p.waitFor();
        Path dead = Files.writeString(tmp.resolve(".model.gguf." + p.pid() + "-0.tmp"), "half a model");
        Path alive = Files.writeString(tmp.resolve(".model.gguf." + ProcessHandle.current().parent().orElseThrow().pid() + "-0.tmp"), "being written");
        String said = captured(() -> AtomicFiles.write(tmp.resolve("other.txt"), o -> o.write(1)));
        assertFalse(Files.exists(dead));
        assertTrue(Files.exists(alive), "a live process may still be writing it");
        assertEquals("removed " + dead + ", an unfinished model.gguf left by an interrupted run (process " + p.pid() + " is gone)", said.strip());
    }

    /** What {@link Progress#info} printed while {@code r} ran. */
    private static String captured(IoRunnable r) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        Progress.setStream(new PrintStream(b, true, StandardCharsets.UTF_8));
        try {
            r.run();
        } finally {
            Progress.setStream(System.err);
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private interface IoRunnable {
        void run() throws IOException;
    }

    static List<String> names(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
