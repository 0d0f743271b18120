package org.synesthesia.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.List;

/** Small {@code .tiktoken} vocabularies written by tests. */
public final class TiktokenFiles {
    private TiktokenFiles() {}

    /** A {@code .tiktoken} file of the 256 single bytes followed by {@code extra}, ranks in that order. */
    public static Path writeRanks(Path dir, String name, List<byte[]> extra) throws Exception {
        StringBuilder b = new StringBuilder();
        Base64.Encoder e = Base64.getEncoder();
        int r = 0;
        for (int i = 0; i < 256; i++) b.append(e.encodeToString(new byte[] {(byte) i})).append(' ').append(r++).append('\n');
        for (byte[] x : extra) b.append(e.encodeToString(x)).append(' ').append(r++).append('\n');
        Path p = dir.resolve(name);
        Files.writeString(p, b);
        return p;
    }
}
