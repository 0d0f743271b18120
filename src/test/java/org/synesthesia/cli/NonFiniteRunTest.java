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
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
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
