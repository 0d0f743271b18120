package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

/** openai/whisper parity on the English-only random tiny golden ({@code whisper_tiny_random_en}, n_vocab 51864). */
class WhisperEnParityTest {
    static final String SET = "whisper_tiny_random_en";

    @Test
    void encoderLogitsAndGreedy() {
        try (Whisper w = Whisper.load(SharedData.golden(SET, "weights.safetensors"))) {
            Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
            assertEquals(51864, w.config().nVocab());
            assertFalse(w.config().isMultilingual());
            Tensor enc = w.encode(g.get("mel"));
            Assert.close("encoder_output", g.get("encoder_output"), enc, WhisperParityTest.TOL);
            float[] logits = w.decoder().logits(WhisperParityTest.ids(g.get("tokens.prefix")), w.newState(enc));
            Assert.close("logits.prefix", g.get("logits.prefix").toArray(), logits, WhisperParityTest.TOL, 0);
            GreedyCheck.check(w, g, enc);
        }
    }
}
