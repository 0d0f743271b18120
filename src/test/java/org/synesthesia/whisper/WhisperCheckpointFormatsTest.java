package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** Whisper from an openai {@code .pt} checkpoint (PyTorch zip, {@code dims} inside) gives the golden's logits. */
class WhisperCheckpointFormatsTest {
    @TempDir Path tmp;

    @Test
    void openaiPtCheckpointMatchesTheGolden() {
        Map<String, Tensor> golden = SafeTensors.readAll(SharedData.golden("whisper_tiny_random", "golden.safetensors"));
        try (Whisper w = Whisper.load(SharedData.golden("whisper_tiny_random", "model.pt"))) {
            assertEquals("pytorch-zip", w.source().format());
            assertEquals(new WhisperConfig(80, 1500, 64, 4, 2, 51865, 448, 64, 4, 2), w.config());
            Tensor enc = w.encode(golden.get("mel"));
            Assert.close("encoder_output", golden.get("encoder_output"), enc, 1e-4);
            int[] tokens = WhisperParityTest.ids(golden.get("tokens.prefix"));
            float[] logits = w.decoder().logits(tokens, w.newState(enc));
            Assert.close("logits.prefix", golden.get("logits.prefix").toArray(), logits, 1e-4, 0);
        }
    }

    @Test
    void notAWhisperCheckpointIsOneClearLine() throws Exception {
        Path junk = tmp.resolve("model.bin");
        Files.writeString(junk, "hello");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Whisper.load(junk));
        assertTrue(e.getMessage().startsWith(junk.toString()) && !e.getMessage().contains("\n"), e.getMessage());
        SynesthesiaException e2 = assertThrows(SynesthesiaException.class,
                () -> Whisper.load(SharedData.golden("vae_random", "weights_diffusers.safetensors")));
        assertTrue(e2.getMessage().contains("not a Whisper checkpoint"), e2.getMessage());
    }
}
