package org.synesthesia.io;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import org.synesthesia.util.SynesthesiaException;

/** A whole file mapped read-only with the FFM API; the mapping lives until {@link #close()}. */
public final class MappedFile implements AutoCloseable {
    private final Path path;
    private final Arena arena;
    private final MemorySegment segment;

    private MappedFile(Path path, Arena arena, MemorySegment segment) {
        this.path = path;
        this.arena = arena;
        this.segment = segment;
    }

    /** Maps {@code path}; a missing, unreadable or non-regular file is a one-line error naming it. */
    public static MappedFile open(Path path) {
        if (!Files.exists(path)) throw SynesthesiaException.inFile(path, "no such file");
        if (Files.isDirectory(path)) throw SynesthesiaException.inFile(path, "is a folder, not a file");
        Arena arena = Arena.ofShared();
        try (FileChannel ch = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = ch.size();
            MemorySegment seg = size == 0 ? MemorySegment.NULL.reinterpret(0) : ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
            return new MappedFile(path, arena, seg);
        } catch (NoSuchFileException e) {
            arena.close();
            throw SynesthesiaException.inFile(path, "no such file");
        } catch (IOException e) {
            arena.close();
            throw SynesthesiaException.inFile(path, "cannot read: " + e.getMessage());
        }
    }

    /** Maps {@code path} and parses it; if parsing fails the mapping is released before the error propagates. */
    public static <T> T openWith(Path path, java.util.function.Function<MappedFile, T> parser) {
        MappedFile f = open(path);
        try {
            return parser.apply(f);
        } catch (RuntimeException e) {
            f.close();
            throw e;
        }
    }

    public Path path() { return path; }

    public MemorySegment segment() { return segment; }

    public long size() { return segment.byteSize(); }

    /** A slice of the file, or a one-line "truncated" error if it runs past the end. */
    public MemorySegment slice(long offset, long length, String what) {
        long size = segment.byteSize();
        if (offset < 0 || length < 0)
            throw SynesthesiaException.inFile(path, "damaged: " + what + " has a negative offset or length (" + offset + ", " + length + " bytes)");
        if (offset > size || length > size - offset) {
            long end = offset + length;
            throw SynesthesiaException.inFile(path, "truncated: " + what + " needs " + length + " bytes at byte " + offset
                    + (end >= offset ? " (up to byte " + end + ")" : " (beyond 2^63-1)") + " but the file has " + size);
        }
        return segment.asSlice(offset, length);
    }

    @Override
    public void close() {
        arena.close();
    }
}
