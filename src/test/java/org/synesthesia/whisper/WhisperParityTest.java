package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.nn.Tracer;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/**
 * openai/whisper parity on the multilingual random tiny golden ({@code whisper_tiny_random}): encoder output,
 * logits of the prefix and long token lists, the 20-token greedy continuation (full re-run and KV-cache
 * paths), and the forward-hook intermediates captured through the {@link Tracer}.
 * Tolerance 1e-4 abs (the recorded fp32-vs-fp64 differences are 1.2e-6 encoder, 4.8e-6 logits).
 */
class WhisperParityTest {
    static final String SET = "whisper_tiny_random";
    static final double TOL = 1e-4;

    static Whisper whisper;
    static Map<String, Tensor> golden;
    static Tensor encoded;

    @BeforeAll
    static void load() {
        whisper = Whisper.load(SharedData.golden(SET, "weights.safetensors"));
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        encoded = whisper.encode(golden.get("mel"));
    }

    @AfterAll
    static void close() {
        if (whisper != null) whisper.close();
    }

    static int[] ids(Tensor t) {
        float[] v = t.toArray();
        int[] r = new int[v.length];
        for (int i = 0; i < v.length; i++) r[i] = (int) v[i];
        return r;
    }

    @Test
    void configFromDimsMetadata() {
        assertEquals(new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2), whisper.config());
    }

    @Test
    void encoderOutput() {
        Assert.close("encoder_output", golden.get("encoder_output"), encoded, TOL);
    }

    @Test
    void prefixAndLongLogits() {
        for (String which : new String[] {"prefix", "long"}) {
            int[] tokens = ids(golden.get("tokens." + which));
            DecoderState s = whisper.newState(encoded);
            float[] logits = whisper.decoder().logits(tokens, s);
            Assert.close("logits." + which, golden.get("logits." + which).toArray(), logits, TOL, 0);
            assertEquals(tokens.length, s.length());
        }
    }

    @Test
    void longLogitsFedOneTokenAtATime() {
        int[] tokens = ids(golden.get("tokens.long"));
        int V = whisper.config().nVocab();
        float[] expected = golden.get("logits.long").toArray();
        DecoderState s = whisper.newState(encoded);
        for (int i = 0; i < tokens.length; i++) {
            float[] row = whisper.decoder().lastLogits(new int[] {tokens[i]}, s);
            Assert.close("logits.long row " + i, Arrays.copyOfRange(expected, i * V, (i + 1) * V), row, TOL, 0);
        }
    }

    @Test
    void greedyFullRerunAndKvCache() {
        GreedyCheck.check(whisper, golden, encoded);
    }

    @Test
    void intermediatesThroughTracer() {
        Map<String, Tensor> inter = SafeTensors.readAll(SharedData.golden(SET, "intermediates.safetensors"));
        Tracer tracer = Tracer.of("encoder.**", "decoder.**", "decoder");
        Tensor enc = whisper.encode(golden.get("mel"), tracer);
        whisper.decoder().logits(ids(golden.get("tokens.prefix")), whisper.newState(enc), tracer);
        Map<String, Tensor> got = tracer.captured();
        int checked = 0;
        for (Map.Entry<String, Tensor> e : inter.entrySet()) {
            String name = e.getKey().endsWith(".prefix") ? e.getKey().substring(0, e.getKey().length() - ".prefix".length()) : e.getKey();
            Tensor t = got.get(name);
            if (t == null) throw new AssertionError("tracer did not capture " + name + " (captured: " + got.keySet() + ")");
            Assert.close(e.getKey(), e.getValue(), t, TOL);
            checked++;
        }
        assertEquals(15, checked);
        assertArrayEquals(new int[] {1, 4, whisper.config().nVocab()}, got.get("decoder").shape());
    }
}
