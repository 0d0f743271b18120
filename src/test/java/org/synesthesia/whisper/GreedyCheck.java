package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Arrays;
import java.util.Map;
import org.synesthesia.tensor.Tensor;

/**
 * The golden's greedy rule: append argmax(logits[-1]) over the full vocabulary 20 times, no suppression, no EOT
 * stop. Checked two ways: a full decoder re-run of the whole sequence per step (as the golden), and the KV
 * cache path feeding one token per step; both must give {@code tokens.greedy} exactly.
 */
final class GreedyCheck {
    private GreedyCheck() {}

    static void check(Whisper w, Map<String, Tensor> golden, Tensor encoded) {
        int[] prefix = WhisperParityTest.ids(golden.get("tokens.prefix"));
        int[] expected = WhisperParityTest.ids(golden.get("tokens.greedy"));
        int steps = expected.length - prefix.length;
        int V = w.config().nVocab();
        CrossAttentionCache audio = w.decoder().crossAttention(encoded);

        // full re-run per step
        int[] seq = prefix;
        for (int i = 0; i < steps; i++) {
            DecoderState s = w.decoder().newState(audio);
            float[] logits = w.decoder().logits(seq, s);
            int next = WhisperDecoder.argmax(logits, (seq.length - 1) * V, V);
            seq = Arrays.copyOf(seq, seq.length + 1);
            seq[seq.length - 1] = next;
        }
        assertArrayEquals(expected, seq, "greedy tokens, full re-run");

        // KV cache: prefix once, then one token per step
        DecoderState s = w.decoder().newState(audio);
        int[] cached = Arrays.copyOf(prefix, expected.length);
        float[] logits = w.decoder().lastLogits(prefix, s);
        for (int i = 0; i < steps; i++) {
            int next = WhisperDecoder.argmax(logits, 0, V);
            cached[prefix.length + i] = next;
            if (i + 1 < steps) w.decoder().lastLogits(new int[] {next}, s, logits);
        }
        assertArrayEquals(expected, cached, "greedy tokens, KV cache");
        assertEquals(expected.length - 1, s.length());
    }
}
