package org.synesthesia.io;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileAttribute;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.synesthesia.util.Progress;
import org.synesthesia.util.SynesthesiaException;

/**
 * Writes outputs all or nothing: into a temporary file beside the target, {@code .NAME.PID-N.tmp}, then moved into
 * place.
 *
 * <p>Temporary files in flight are registered; on SIGINT/SIGTERM a shutdown hook ({@link #abandonAll()}) deletes them
 * and no output is published after it ran. Temporary files a killed run (SIGKILL, power loss) left behind are
 * noticed on the first write into their folder: {@code .NAME.PID-N.tmp} whose process is gone are deleted;
 * {@code .NAME.DIGITS.tmp} beside the target NAME (the form of earlier versions) are deleted when older than
 * {@link #STALE_AFTER_MS}, else named in one line. Write failures (a full disk, a read-only folder) are one-line
 * {@link SynesthesiaException}s naming the target.
 */
public final class AtomicFiles {
    private AtomicFiles() {}

    /** Legacy-form temporary files older than this (1 hour) are deleted as left by an interrupted run. */
    static final long STALE_AFTER_MS = 3_600_000L;

    private static final long PID = ProcessHandle.current().pid();
    private static final AtomicLong SEQ = new AtomicLong();
    /** {@code .NAME.PID-N.tmp}: written by this version; group 1 NAME, 2 PID. */
    private static final Pattern OURS = Pattern.compile("\\.(.+)\\.(\\d{1,10})-\\d{1,19}\\.tmp");
    /** {@code .NAME.DIGITS.tmp}: {@link Files#createTempFile}'s form, used by earlier versions; group 1 NAME. */
    private static final Pattern LEGACY = Pattern.compile("\\.(.+)\\.\\d{1,20}\\.tmp");

    private static final Set<Path> IN_FLIGHT = ConcurrentHashMap.newKeySet();
    /** Folders already swept by this process (once each). */
    private static final Set<Path> SWEPT = ConcurrentHashMap.newKeySet();
    private static final Object PUBLISH = new Object();
    private static boolean abandoned; // guarded by PUBLISH

    static {
        try {
            Runtime.getRuntime().addShutdownHook(new Thread(AtomicFiles::abandonAll, "synesthesia-temp-cleanup"));
        } catch (IllegalStateException | SecurityException ignored) {
            // loaded while the JVM is already shutting down: abandonAll() is still called by writePath
        }
    }

    @FunctionalInterface
    public interface Writer {
        void write(OutputStream out) throws IOException;
    }

    @FunctionalInterface
    public interface PathWriter {
        void write(Path tmp) throws IOException;
    }

    /** Streams into a temporary file, then renames it to {@code target}; on failure the target is untouched. */
    public static void write(Path target, Writer writer) throws IOException {
        writePath(target, tmp -> {
            try (OutputStream out = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(out);
            }
        });
    }

    /** Temporary files are created owner-only (rw-------); outputs get the usual rw-r--r-- on POSIX systems. */
    private static void publicPermissions(Path tmp) throws IOException {
        if (Files.getFileStore(tmp).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class))
            Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
    }

    /**
     * Lets {@code writer} fill a temporary path (e.g. through a FileChannel), then moves it to {@code target}.
     *
     * @throws SynesthesiaException {@code TARGET: cannot write: REASON} when writing or moving fails (the writer's own
     *                              SynesthesiaExceptions pass through); the target is then untouched
     */
    public static void writePath(Path target, PathWriter writer) throws IOException {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) throw SynesthesiaException.inFile(target, "is a folder; give a file name to write");
        Path dir = abs.getParent();
        Path tmp;
        try {
            if (dir != null) Files.createDirectories(dir);
            sweep(dir, abs.getFileName().toString());
            tmp = createTemp(dir, abs.getFileName().toString());
        } catch (IOException e) {
            throw failure(target, e);
        }
        try {
            writer.write(tmp);
            publicPermissions(tmp);
            synchronized (PUBLISH) {
                if (abandoned) throw SynesthesiaException.inFile(target, "not written: interrupted");
                try {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    Files.move(tmp, abs, StandardCopyOption.REPLACE_EXISTING);
                }
            }
        } catch (IOException e) {
            throw failure(target, e);
        } finally {
            IN_FLIGHT.remove(tmp);
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's own failure (if any) is the one to report
            }
        }
    }

    /**
     * Fails early, before long work, when {@code target} cannot be written: it is a folder, its nearest existing
     * ancestor is not a folder, or a file cannot be created there (permissions, a read-only file system).
     */
    public static void checkWritable(Path target) {
        Path abs = target.toAbsolutePath();
        if (Files.isDirectory(abs)) throw SynesthesiaException.inFile(target, "is a folder; give a file name to write");
        if (Files.exists(abs) && !Files.isRegularFile(abs)) throw SynesthesiaException.inFile(target, "exists and is not a regular file");
        Path dir = abs.getParent();
        while (dir != null && !Files.exists(dir)) dir = dir.getParent();
        if (dir == null) return;
        if (!Files.isDirectory(dir)) throw SynesthesiaException.inFile(target, "cannot write: " + dir + " is not a folder");
        try {
            Path probe = createTemp(dir, abs.getFileName().toString());
            IN_FLIGHT.remove(probe);
            Files.delete(probe);
        } catch (IOException e) {
            throw failure(target, e);
        }
    }

    /**
     * Deletes every temporary file in flight and refuses to publish any output from now on; the shutdown hook calls
     * it on SIGINT/SIGTERM. Returns the outputs that were being written.
     */
    public static List<Path> abandonAll() {
        synchronized (PUBLISH) {
            abandoned = true;
        }
        // both shutdown hooks (this class's and the command line's) call this, in either order or at once: each
        // gets every output abandoned so far
        synchronized (ABANDONED) {
            for (Path tmp : List.copyOf(IN_FLIGHT)) {
                try {
                    if (Files.deleteIfExists(tmp)) ABANDONED.add(targetOf(tmp));
                } catch (IOException ignored) {
                    // best effort while exiting
                }
                IN_FLIGHT.remove(tmp);
            }
            return List.copyOf(ABANDONED);
        }
    }

    /** Outputs whose temporary files {@link #abandonAll()} deleted. */
    private static final List<Path> ABANDONED = new ArrayList<>();

    /** {@code DIR/.NAME.PID-N.tmp} -> {@code DIR/NAME}. */
    private static Path targetOf(Path tmp) {
        Matcher m = OURS.matcher(tmp.getFileName().toString());
        return m.matches() ? tmp.resolveSibling(m.group(1)) : tmp;
    }

    /** {@code .NAME.PID-N.tmp}, owner-only, registered as in flight. */
    private static Path createTemp(Path dir, String name) throws IOException {
        FileAttribute<?>[] attrs = Files.getFileStore(dir).supportsFileAttributeView(java.nio.file.attribute.PosixFileAttributeView.class)
                ? new FileAttribute<?>[] {PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rw-------"))}
                : new FileAttribute<?>[0];
        for (int attempt = 0; ; attempt++) {
            Path tmp = dir.resolve("." + name + "." + PID + "-" + SEQ.getAndIncrement() + ".tmp");
            synchronized (PUBLISH) {
                if (abandoned) throw new SynesthesiaException(dir.resolve(name) + ": not written: interrupted");
                try {
                    Files.createFile(tmp, attrs);
                } catch (FileAlreadyExistsException e) {
                    if (attempt < 100) continue;
                    throw e;
                }
                IN_FLIGHT.add(tmp);
            }
            return tmp;
        }
    }

    /**
     * Once per folder per process: deletes {@code .NAME.PID-N.tmp} whose process is gone; then, for {@code name},
     * deletes legacy {@code .NAME.DIGITS.tmp} older than {@link #STALE_AFTER_MS} and names younger ones.
     */
    private static void sweep(Path dir, String name) {
        if (dir == null || !SWEPT.add(dir)) return;
        List<Path> legacy = new ArrayList<>();
        try (DirectoryStream<Path> s = Files.newDirectoryStream(dir, ".*.tmp")) {
            for (Path p : s) {
                String f = p.getFileName().toString();
                Matcher m = OURS.matcher(f);
                if (m.matches()) {
                    long pid = Long.parseLong(m.group(2));
                    if (pid != PID && ProcessHandle.of(pid).map(h -> !h.isAlive()).orElse(true) && Files.isRegularFile(p)) {
                        Files.deleteIfExists(p);
                        Progress.info("removed " + p + ", an unfinished " + m.group(1) + " left by an interrupted run (process " + pid + " is gone)");
                    }
                } else if ((m = LEGACY.matcher(f)).matches() && m.group(1).equals(name) && Files.isRegularFile(p)) {
                    legacy.add(p);
                }
            }
        } catch (IOException | SecurityException ignored) {
            // an unreadable folder: the write itself will say what is wrong
        }
        for (Path p : legacy) {
            try {
                FileTime t = Files.getLastModifiedTime(p);
                if (System.currentTimeMillis() - t.toMillis() > STALE_AFTER_MS) {
                    Files.deleteIfExists(p);
                    Progress.info("removed " + p + ", an unfinished " + name + " left by an interrupted run (" + t + ")");
                } else {
                    Progress.info("note: " + p + " looks like an unfinished " + name + " from an interrupted run; delete it unless another program is writing " + name);
                }
            } catch (IOException ignored) {
                // gone meanwhile
            }
        }
    }

    /** {@code TARGET: cannot write: REASON}, the reason without Java's exception names. */
    static SynesthesiaException failure(Path target, IOException e) {
        return new SynesthesiaException(target + ": cannot write: " + reason(e), e);
    }

    /** A one-line reason for {@code e}: "No space left on device", "permission denied (DIR)", ... */
    public static String reason(IOException e) {
        if (e instanceof AccessDeniedException a) return "permission denied (" + a.getFile() + ")";
        if (e instanceof NoSuchFileException n) return "no such file or folder (" + n.getFile() + ")";
        if (e instanceof FileSystemException f) {
            String r = f.getReason();
            return (r == null ? f.getClass().getSimpleName() : r) + (f.getFile() == null ? "" : " (" + f.getFile() + ")");
        }
        String m = e.getMessage();
        return m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    }
}
