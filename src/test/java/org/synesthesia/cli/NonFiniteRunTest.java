package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.PoisonedWeights;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;

/**
 * Issue 13 items 2 and 9 end to end: a damaged WAV rate, NaN audio samples and a NaN in Whisper's or the UNet's
 * weights each end in one line naming the file or the stage that went non-finite, a non-zero status and no output
 * (before: a hang past 3.5 GB, or exit 0 with a {@code !!!!} transcript or a black PNG).
 */
class NonFiniteRunTest {
    static final String WHISPER = "whisper_tiny_random";

    @TempDir Path tmp;

    /** The one line of a failed run's stderr (with --quiet): {@code synesthesia: MESSAGE}. */
    static String oneLine(CliRun r) {
        assertNotEquals(0, r.rc(), r.err());
        String err = r.err().strip();
        assertFalse(err.contains("\n"), err);
        assertFalse(err.contains("internal error") || err.contains("\tat "), err);
        return err;
    }

    @Test
    void flippedWavRateIsOneLineWithoutHang() throws IOException {
        byte[] wav = Files.readAllBytes(SharedData.data("speech/jfk/jfk.wav"));
        wav[27] ^= 0x1a; // 16000 Hz -> 436223616 Hz
        Path bad = Files.write(tmp.resolve("flipped.wav"), wav);
        Path out = tmp.resolve("mel.safetensors");
        CliRun r = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> CliRun.of("--quiet", "mel", bad.toString(), "--out", out.toString()));
        String e = oneLine(r);
        assertTrue(e.contains(bad + ": corrupt or unsupported: fmt chunk says sample rate 436223616 Hz"), e);
        assertFalse(Files.exists(out));
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        CliRun t = assertTimeoutPreemptively(Duration.ofSeconds(20), () -> CliRun.of("--quiet", "transcribe", bad.toString(), "--model",
                SharedData.golden(WHISPER, "weights.safetensors").toString(), "--tokenizer", SharedData.data("tokenizers").toString(),
                "--output-dir", outDir.toString()));
        assertTrue(oneLine(t).contains("sample rate 436223616 Hz"), t.err());
        assertEmpty(outDir);
    }

    @Test
    void nanSampleIsRefusedNamingItsTime() throws IOException {
        float[] x = new float[16000 * 3];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.1 * Math.sin(i * 0.05));
        x[16000 * 2 + 8000] = Float.NaN;
        Path wav = tmp.resolve("nan.wav");
        Files.write(wav, floatWav(x, 16000));
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        String e = oneLine(CliRun.of("--quiet", "transcribe", wav.toString(), "--model", SharedData.golden(WHISPER, "weights.safetensors").toString(),
                "--tokenizer", SharedData.data("tokenizers").toString(), "--output-dir", outDir.toString()));
        assertTrue(e.contains(wav + ": float sample 40000 (at 2.500 s) is NaN"), e);
        assertEmpty(outDir);
    }

    @Test
    void nanInWhisperEncoderWeightsNamesTheEncoder() throws IOException {
        String e = transcribeWith("encoder.conv1.bias");
        assertTrue(e.contains("whisper encoder output in window 1 (at 0.000 s) is not finite (NaN at element"), e);
        assertTrue(e.endsWith("the model weights hold NaN/Inf?"), e);
    }

    @Test
    void nanInWhisperDecoderWeightsNamesTheLogits() throws IOException {
        String e = transcribeWith("decoder.token_embedding.weight");
        assertTrue(e.contains("whisper decoder logits in window 1 (at 0.000 s) is not finite (NaN at element 0"), e);
    }

    private String transcribeWith(String poisoned) throws IOException {
        Path model = PoisonedWeights.copyWithNaN(SharedData.golden(WHISPER, "weights.safetensors"), tmp.resolve("w.safetensors"), poisoned);
        Path outDir = Files.createDirectories(tmp.resolve("out"));
        String e = oneLine(CliRun.of("--quiet", "transcribe", SharedData.data("speech/jfk/jfk.wav").toString(), "--model", model.toString(),
                "--tokenizer", SharedData.data("tokenizers").toString(), "--language", "en", "--beam-size", "0", "--no-fallback",
                "--output-dir", outDir.toString(), "--output-format", "all"));
        assertEmpty(outDir);
        return e;
    }

    @Test
    void nanInUnetWeightsNamesTheStepAndWritesNothing() throws IOException {
        Path folder = SdTinyFolder.sd1(tmp);
        Path unet = folder.resolve("unet/diffusion_pytorch_model.safetensors");
        Path real = unet.toRealPath();
        Files.delete(unet);
        PoisonedWeights.copyWithNaN(real, unet, "conv_in.bias");
        Path out = Files.createDirectories(tmp.resolve("images")).resolve("img.png");
        String e = oneLine(CliRun.of("--quiet", "generate", "a red cube", "--model", folder.toString(), "--steps", "2", "--seed", "1",
                "--width", "16", "--height", "16", "--out", out.toString()));
        assertTrue(e.contains("unet noise prediction at step 1 of 2 is not finite (NaN"), e);
        assertEmpty(out.getParent());
    }

    @Test
    void nanInVaeWeightsNamesTheDecoder() throws IOException {
        Path folder = SdTinyFolder.sd1(tmp);
        Path vae = folder.resolve("vae/diffusion_pytorch_model.safetensors");
        Path real = vae.toRealPath();
        Files.delete(vae);
        PoisonedWeights.copyWithNaN(real, vae, "decoder.conv_in.bias");
        Path out = Files.createDirectories(tmp.resolve("images")).resolve("img.png");
        String e = oneLine(CliRun.of("--quiet", "generate", "a red cube", "--model", folder.toString(), "--steps", "1", "--seed", "1",
                "--width", "16", "--height", "16", "--out", out.toString()));
        assertTrue(e.contains("vae decoder output (image) is not finite (NaN"), e);
        assertEmpty(out.getParent());
    }

    /** AudioLDM (audioldm_random with clap_text_random): a NaN in each stage's weights is named by that stage; no WAV. */
    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "model.diffusion_model.input_blocks.0.0.bias, audioldm unet noise prediction at step 1 of 1",
        "first_stage_model.decoder.conv_in.bias, audioldm vae decoder output (mel)",
        "first_stage_model.vocoder.conv_post.bias, audioldm vocoder output (waveform)",
        "cond_stage_model.model.text_projection.2.bias, clap text embedding",
    })
    void nanInAudioLdmWeightsNamesTheStage(String tensor, String stage) throws IOException {
        Map<String, Tensor> w = new LinkedHashMap<>(audioLdm());
        Tensor t = w.get(tensor).copy();
        t.data()[0] = Float.NaN;
        w.put(tensor, t);
        Path model = tmp.resolve("audioldm.safetensors");
        SafeTensors.write(model, w, Map.of());
        Path out = Files.createDirectories(tmp.resolve("sounds")).resolve("x.wav");
        String e = oneLine(CliRun.of("--quiet", "audio", "rain", "--model", model.toString(), "--tokenizer",
                SharedData.data("tokenizers/roberta-base").toString(), "--duration", "2.5", "--steps", "1", "--out", out.toString()));
        assertTrue(e.contains(stage + " is not finite (NaN"), e);
        assertEmpty(out.getParent());
    }

    private static Map<String, Tensor> audioLdm;

    /** audioldm_random's weights and scale factor with clap_text_random's CLAP, read once (shared, never modified). */
    private static synchronized Map<String, Tensor> audioLdm() {
        if (audioLdm == null) {
            Map<String, Tensor> w = new LinkedHashMap<>(SafeTensors.readAll(SharedData.golden("audioldm_random", "weights.safetensors")));
            w.put("scale_factor", SafeTensors.readAll(SharedData.golden("audioldm_random", "buffers.safetensors")).get("scale_factor"));
            w.putAll(SafeTensors.readAll(SharedData.golden("clap_text_random", "weights.safetensors")));
            audioLdm = java.util.Collections.unmodifiableMap(w);
        }
        return audioLdm;
    }

    static void assertEmpty(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            assertEquals(java.util.List.of(), s.toList(), "nothing written");
        }
    }

    /** A mono IEEE-float WAV. */
    static byte[] floatWav(float[] x, int rate) {
        ByteBuffer b = ByteBuffer.allocate(44 + 4 * x.length).order(ByteOrder.LITTLE_ENDIAN);
        b.put("RIFF".getBytes()).putInt(36 + 4 * x.length).put("WAVE".getBytes());
        b.put("fmt ".getBytes()).putInt(16).putShort((short) 3).putShort((short) 1).putInt(rate).putInt(rate * 4).putShort((short) 4).putShort((short) 32);
        b.put("data".getBytes()).putInt(4 * x.length);
        for (float v : x) b.putFloat(v);
        return b.array();
    }
}
