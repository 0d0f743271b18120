package org.synesthesia.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.tensor.DType;
import org.synesthesia.tensor.StoredTensor;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

class SafeTensorsTest {
    @TempDir Path tmp;

    @Test
    void writeThenReadRoundTrips() throws IOException {
        Map<String, Tensor> in = new LinkedHashMap<>();
        in.put("a", Tensor.of(new float[] {1, -2, 3.5f, 4, 5, 6}, 2, 3));
        in.put("b.c", Tensor.of(new float[] {7}, 1));
        Path p = tmp.resolve("x.safetensors");
        SafeTensors.write(p, in, Map.of("k", "v"));
        try (SafeTensors st = SafeTensors.open(p)) {
            assertEquals(List.of("a", "b.c"), new ArrayList<>(st.names()));
            assertEquals("v", st.metadata().get("k"));
            StoredTensor a = st.get("a");
            assertEquals(DType.F32, a.dtype());
            assertArrayEquals(new long[] {2, 3}, a.shape());
            assertArrayEquals(in.get("a").toArray(), a.toFloats());
            SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> st.get("nope"));
            assertTrue(e.getMessage().contains("nope") && e.getMessage().contains(p.toString()), e.getMessage());
        }
    }

    @Test
    void truncatedFileIsOneClearError() throws IOException {
        Path p = tmp.resolve("x.safetensors");
        SafeTensors.write(p, Map.of("a", Tensor.zeros(100)), Map.of());
        byte[] all = Files.readAllBytes(p);
        Path cut = tmp.resolve("cut.safetensors");
        Files.write(cut, java.util.Arrays.copyOf(all, all.length - 10));
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> SafeTensors.open(cut));
        assertTrue(e.getMessage().startsWith(cut.toString()) && e.getMessage().contains("truncated"), e.getMessage());
        Path tiny = tmp.resolve("tiny.safetensors");
        Files.write(tiny, new byte[] {1, 2, 3});
        assertThrows(SynesthesiaException.class, () -> SafeTensors.open(tiny));
        Path missing = tmp.resolve("missing.safetensors");
        e = assertThrows(SynesthesiaException.class, () -> SafeTensors.open(missing));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        Path garbage = tmp.resolve("garbage.safetensors");
        Files.write(garbage, new byte[] {16, 0, 0, 0, 0, 0, 0, 0, '{', '"', 'a', '"', ':', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11});
        e = assertThrows(SynesthesiaException.class, () -> SafeTensors.open(garbage));
        assertTrue(e.getMessage().contains("not a safetensors file"), e.getMessage());
    }

    /** Every weights*.safetensors in the goldens opens and every tensor decodes to finite floats. */
    @Test
    void readsEveryGoldenWeightFile() throws IOException {
        Path golden = SharedData.require("golden");
        List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> sets = Files.newDirectoryStream(golden, Files::isDirectory)) {
            for (Path set : sets)
                try (DirectoryStream<Path> ws = Files.newDirectoryStream(set, "weights*.safetensors")) {
                    ws.forEach(files::add);
                }
        }
        assertTrue(files.size() >= 12, "expected the golden weight files, found " + files);
        long params = 0;
        for (Path f : files) {
            try (SafeTensors st = SafeTensors.open(f)) {
                assertTrue(st.names().size() > 0, f + " has no tensors");
                for (String n : st.names()) {
                    StoredTensor t = st.get(n);
                    float[] v = t.toFloats();
                    params += v.length;
                    for (float x : v) if (!Float.isFinite(x)) throw new AssertionError(f + ": " + n + " has a non-finite value");
                }
            }
        }
        assertTrue(params > 1_000_000, "parameter count " + params);
    }

    @Test
    void whisperDimsMetadataIsReadable() {
        Path p = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        try (SafeTensors st = SafeTensors.open(p)) {
            assertTrue(st.metadata().get("dims").contains("n_audio_state"), st.metadata().toString());
            st.get("encoder.conv1.weight").expectShape(64, 80, 3);
            assertEquals(DType.F16, st.get("encoder.conv1.weight").dtype());
        }
    }
}
