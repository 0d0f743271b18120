package org.synesthesia.translator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.util.SynesthesiaException;

class PairFilesTest {
    @TempDir Path dir;

    private static EmbeddingPairs random(int n, int dClip, int dClap, long seed, String prefix) {
        Random r = new Random(seed);
        float[] a = new float[n * dClip], b = new float[n * dClap];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextGaussian();
        for (int i = 0; i < b.length; i++) b[i] = (float) r.nextGaussian();
        return new EmbeddingPairs(a, dClip, b, dClap, java.util.stream.IntStream.range(0, n).mapToObj(i -> prefix + i).toList());
    }

    @Test
    void shardsRoundTripAndFoldersConcatenateInNameOrder() throws Exception {
        EmbeddingPairs p0 = random(5, 7, 3, 1, "a"), p1 = random(4, 7, 3, 2, "b");
        PairFiles.writeShard(dir.resolve("pairs-1.safetensors"), p1, Map.of("source", "x.csv"));
        PairFiles.writeShard(dir.resolve("pairs-0.safetensors"), p0, Map.of());
        EmbeddingPairs one = PairFiles.read(dir.resolve("pairs-0.safetensors"));
        assertArrayEquals(p0.clip(), one.clip());
        assertArrayEquals(p0.clap(), one.clap());
        assertEquals(p0.ids(), one.ids());
        EmbeddingPairs all = PairFiles.read(dir);
        assertEquals(9, all.count());
        assertEquals("b0", all.ids().get(5));
        assertEquals(p1.clip()[0], all.clip()[5 * 7]);
        assertEquals(p1.clap()[3 * 3 + 2], all.clap()[8 * 3 + 2]);
    }

    @Test
    void textLayoutOfTheOriginalWorkRoundTripsExactly() throws Exception {
        EmbeddingPairs p = random(1, 512, 512, 3, "s");
        Path f = dir.resolve("muestra_0.txt");
        PairFiles.writeText(f, p.clip(), p.clap());
        String text = Files.readString(f);
        assertTrue(text.startsWith("CLIP Embedding:\n"));
        assertTrue(text.contains("\n\n\nCLAP Embedding:\n"));
        assertEquals(PairFiles.savetxt(p.clip()[0]), text.split("\n")[1]);
        EmbeddingPairs back = PairFiles.read(f);
        assertArrayEquals(p.clip(), back.clip());
        assertArrayEquals(p.clap(), back.clap());
        assertEquals(List.of("muestra_0.txt"), back.ids());
    }

    @Test
    void numpySavetxtFormat() {
        assertEquals("1.000000000000000000e+00", PairFiles.savetxt(1f));
        assertEquals("-2.500000000000000000e-01", PairFiles.savetxt(-0.25f));
    }

    @Test
    void printedTorchTensorLayoutIsRead() throws Exception {
        Path f = dir.resolve("embedding_2711.txt");
        Files.writeString(f, "embedding CLIP\ntensor([[ 1.2500e-01, -3.0000e+00,\n          7.0000e-01]], device='cuda:0',"
                + " dtype=torch.float16)\nembedding CLAP\ntensor([-0.0100,  0.5000], device='cuda:0', grad_fn=<SelectBackward0>)");
        EmbeddingPairs p = PairFiles.read(f);
        assertArrayEquals(new float[] {0.125f, -3f, 0.7f}, p.clip());
        assertArrayEquals(new float[] {-0.01f, 0.5f}, p.clap());
    }

    @Test
    void badFilesAreOneLineNamingTheFile() throws Exception {
        Path cut = dir.resolve("cut.txt");
        Files.writeString(cut, "embedding CLIP\ntensor([[ 1.0, 2.0\nembedding CLAP\ntensor([0.5");
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(cut)).getMessage().contains("cut.txt"));
        Path none = dir.resolve("none.txt");
        Files.writeString(none, "hello\n");
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(none)).getMessage().contains("not a pair text file"));
        Path nan = dir.resolve("nan.txt");
        Files.writeString(nan, "CLIP Embedding:\n1.0\nnan\n\nCLAP Embedding:\n2.0\n");
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(nan)).getMessage().contains("nan"));
        Path other = dir.resolve("weights.safetensors");
        SafeTensors.write(other, Map.of("clip", Tensor.of(new float[4], 2, 2)), Map.of());
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(other)).getMessage().contains("not a pair shard"));
        Path badIds = dir.resolve("bad-ids.safetensors");
        SafeTensors.write(badIds, Map.of("clip", Tensor.of(new float[4], 2, 2), "clap", Tensor.of(new float[4], 2, 2)),
                Map.of("format", PairFiles.FORMAT, "ids", "[\"r0\","));
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(badIds)).getMessage().contains("'ids' is not JSON"));
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThrows(SynesthesiaException.class, () -> PairFiles.read(empty));
        Path a = Files.createDirectory(dir.resolve("mixed"));
        PairFiles.writeShard(a.resolve("0.safetensors"), random(2, 4, 4, 5, "x"), Map.of());
        PairFiles.writeShard(a.resolve("1.safetensors"), random(2, 5, 4, 6, "y"), Map.of());
        assertTrue(assertThrows(SynesthesiaException.class, () -> PairFiles.read(a)).getMessage().contains("1.safetensors"));
    }

    @Test
    void foldersOfTextFilesAreReadInNumericNameOrder() throws Exception {
        for (int i : new int[] {10, 2, 1}) PairFiles.writeText(dir.resolve("muestra_" + i + ".txt"), new float[] {i}, new float[] {-i});
        EmbeddingPairs p = PairFiles.read(dir);
        assertEquals(List.of("muestra_1.txt", "muestra_2.txt", "muestra_10.txt"), p.ids());
        assertArrayEquals(new float[] {1, 2, 10}, p.clip());
        assertTrue(PairFiles.naturalCompare("pairs-00002.safetensors", "pairs-00010.safetensors") < 0);
        assertTrue(PairFiles.naturalCompare("a02", "a2") != 0);
        assertTrue(PairFiles.naturalCompare("a9", "b1") < 0);
    }
}
