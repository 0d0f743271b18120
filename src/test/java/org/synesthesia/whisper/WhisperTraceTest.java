package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.cli.Main;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;
import org.synesthesia.testing.Traces;

/** {@code synesthesia trace} on the golden Whisper checkpoint, in-process. */
class WhisperTraceTest {
    static final String SET = "whisper_tiny_random";
    static Map<String, Tensor> golden;
    static Map<String, Tensor> inter;
    static String weights;

    @TempDir
    Path dir;

    @BeforeAll
    static void read() {
        weights = SharedData.golden(SET, "weights.safetensors").toString();
        golden = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        inter = SafeTensors.readAll(SharedData.golden(SET, "intermediates.safetensors"));
    }

    @Test
    void encoderBlocks() throws Exception {
        Map<String, Tensor> taps = Traces.run(dir, weights, Map.of("mel", golden.get("mel")), "--capture", "encoder.blocks.*");
        assertEquals(List.of("encoder.blocks.0", "encoder.blocks.1", "output"), List.copyOf(taps.keySet()));
        for (String n : List.of("encoder.blocks.0", "encoder.blocks.1")) Assert.close(n, inter.get(n), taps.get(n), WhisperParityTest.TOL);
        Assert.close("output", golden.get("encoder_output"), taps.get("output"), WhisperParityTest.TOL);
    }

    @Test
    void decoderOnTokensAndMel() throws Exception {
        Map<String, Tensor> taps = Traces.run(dir, weights, Map.of("mel", golden.get("mel"), "tokens", golden.get("tokens.prefix")),
                "--capture", "decoder.**", "--capture", "encoder.conv?");
        for (String n : List.of("decoder.token_embedding", "decoder.blocks.0", "decoder.blocks.1", "decoder.blocks.0.attn",
                "decoder.blocks.0.cross_attn", "decoder.blocks.0.mlp", "decoder.ln"))
            Assert.close(n, inter.get(n + ".prefix"), taps.get(n), WhisperParityTest.TOL);
        for (String n : List.of("encoder.conv1", "encoder.conv2")) Assert.close(n, inter.get(n), taps.get(n), WhisperParityTest.TOL);
        Tensor logits = taps.get("output");
        assertArrayEquals(new int[] {1, 4, 51865}, logits.shape());
        Assert.close("output", golden.get("logits.prefix").toArray(), logits.toArray(), WhisperParityTest.TOL, 0);
    }

    @Test
    void decoderOnAudioFeaturesAndBadPart() throws Exception {
        Path in = dir.resolve("in.safetensors"), out = dir.resolve("taps.safetensors");
        SafeTensors.write(in, Map.of("audio_features", golden.get("encoder_output"), "tokens", golden.get("tokens.long")), Map.of());
        assertEquals(0, Main.run("--quiet", "trace", weights, "--inputs", in.toString(), "--part", "decoder", "--out", out.toString()));
        Assert.close("output", golden.get("logits.long").toArray(), SafeTensors.readAll(out).get("output").toArray(), WhisperParityTest.TOL, 0);
        assertNotEquals(0, Main.run("--quiet", "trace", weights, "--inputs", in.toString(), "--part", "unet", "--out", out.toString()));
        assertNotEquals(0, Main.run("--quiet", "trace", weights, "--inputs", in.toString(), "--part", "encoder", "--out", out.toString()));
    }
}
