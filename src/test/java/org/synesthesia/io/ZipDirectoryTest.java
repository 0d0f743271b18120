package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.util.SynesthesiaException;

/** Zip entries whose sizes lie (found by the fuzzer, issue 13). */
class ZipDirectoryTest {
    /**
     * A deflated entry claiming 4 GiB from a few hundred compressed bytes made the reader allocate and zero 4 GiB
     * before inflating (a 2 s hang per file). Deflate expands at most 1032:1, so such a claim is refused up front.
     */
    @Test
    void deflatedSizeBeyondDeflatesRatioIsRefusedBeforeAllocating(@TempDir Path dir) throws Exception {
        byte[] pkl = new PickleBytes().proto(2).emptyDict().stop().bytes();
        byte[] zip = new TestZip(false).add("archive/data.pkl", pkl, true).add("archive/byteorder", "little".getBytes(), false).finish();
        ByteBuffer b = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
        int central = -1;
        for (int p = 0; p + 4 <= zip.length; p++) if (b.getInt(p) == 0x02014b50) { central = p; break; }
        b.putInt(central + 24, 0xfffffffe); // the first entry's uncompressed size
        Path f = Files.write(dir.resolve("bomb.pt"), zip);
        long t0 = System.nanoTime();
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> TorchZip.open(f).close());
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertTrue(e.getMessage().contains("bomb.pt") && e.getMessage().contains("archive/data.pkl") && e.getMessage().contains("4294967294"), e.getMessage());
        assertTrue(e.getMessage().contains("deflate"), e.getMessage());
        assertTrue(ms < 1000, ms + " ms");
    }
}
