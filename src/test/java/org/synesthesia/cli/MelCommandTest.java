package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.MelSpectrogram;
import org.synesthesia.audio.WavWriter;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.SharedData;

class MelCommandTest {
    @TempDir Path tmp;

    @Test
    void jfkWavGivesWhisperTranscribeMel() {
        Path out = tmp.resolve("mel.safetensors");
        CliRun r = CliRun.of("mel", SharedData.data("speech/jfk/jfk.wav").toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        Map<String, Tensor> m = SafeTensors.readAll(out);
        Tensor mel = m.get("mel");
        assertArrayEquals(new int[] {1, 80, 3000}, mel.shape());
        Tensor golden = SafeTensors.readAll(SharedData.golden("whisper_mel", "whisper_mel.safetensors")).get("mel80.jfk.transcribe");
        Assert.close("mel", golden.toArray(), mel.toArray(), 1e-4, 0);
        try (SafeTensors st = SafeTensors.open(out)) {
            assertEquals("1100", st.metadata().get("content_frames"));
        }
        assertTrue(r.err().contains("wrote"), r.err());
    }

    @Test
    void flacWindowAnd128Bins() {
        Path out = tmp.resolve("w.safetensors");
        CliRun r = CliRun.of("--quiet", "mel", SharedData.data("speech/jfk/jfk.flac").toString(), "--from", "2", "--to", "5.5", "--n-mels", "128", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        float[] mel = SafeTensors.readAll(out).get("mel").toArray();
        assertEquals(128 * 3000, mel.length);
        // 3.5 s = 350 frames of audio, then exact zeros
        for (int b = 0; b < 128; b++) {
            assertEquals(0f, mel[b * 3000 + 350]);
            assertEquals(0f, mel[b * 3000 + 2999]);
        }
        double energy = 0;
        for (int b = 0; b < 128; b++) for (int t = 0; t < 350; t++) energy += Math.abs(mel[b * 3000 + t]);
        assertTrue(energy > 0);
    }

    @Test
    void vocoderPresetsCoverTheWholeResampledAudio() {
        Audio jfk = AudioFiles.read(SharedData.data("speech/jfk/jfk.wav"));
        Path out = tmp.resolve("a.safetensors");
        CliRun r = CliRun.of("mel", SharedData.data("speech/jfk/jfk.wav").toString(), "--preset", "audioldm", "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        Tensor mel = SafeTensors.readAll(out).get("mel");
        assertArrayEquals(new int[] {1, 64, 1 + jfk.length() / 160}, mel.shape());
        assertArrayEquals(MelSpectrogram.audioldm().compute(jfk.samples()).toArray(), mel.toArray());
        Path h = tmp.resolve("h.safetensors");
        r = CliRun.of("mel", SharedData.data("speech/jfk/jfk.wav").toString(), "--preset", "hifigan", "--from", "1", "--to", "3", "--out", h.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.err().contains("hifigan mel, 80 bins x 172 frames"), r.err());
        try (SafeTensors st = SafeTensors.open(h)) {
            assertArrayEquals(new int[] {1, 80, 172}, st.get("mel").toTensor().shape(), "2 s = 44,100 samples: 1 + (44100 - 256) / 256");
            assertEquals("22050", st.metadata().get("sample_rate"));
        }
    }

    @Test
    void pngHasLowFrequenciesAtTheBottom() throws IOException {
        // 300 Hz tone: bright low bins
        float[] x = new float[16000 * 2];
        for (int i = 0; i < x.length; i++) x[i] = (float) (0.5 * Math.sin(2 * Math.PI * 300 * i / 16000.0));
        Path wav = tmp.resolve("tone.wav");
        WavWriter.write(wav, new Audio(x, 16000), WavWriter.Encoding.PCM16);
        Path png = tmp.resolve("pics/tone.png");
        CliRun r = CliRun.of("mel", wav.toString(), "--out", png.toString());
        assertEquals(0, r.rc(), r.err());
        BufferedImage img = ImageIO.read(png.toFile());
        assertEquals(3000, img.getWidth());
        assertEquals(320, img.getHeight());
        int bottom = brightness(img.getRGB(100, img.getHeight() - 4 * 5 - 2)), top = brightness(img.getRGB(100, 2));
        assertTrue(bottom > top + 200, "bottom " + bottom + " top " + top);
    }

    static int brightness(int rgb) {
        return (rgb >> 16 & 255) + (rgb >> 8 & 255) + (rgb & 255);
    }

    @Test
    void badInputsAreOneLineErrors() throws IOException {
        String jfk = SharedData.data("speech/jfk/jfk.wav").toString();
        Path out = tmp.resolve("x.safetensors");
        CliRun r = CliRun.of("mel", tmp.resolve("missing.wav").toString(), "--out", out.toString());
        assertError(r, "missing.wav: no such file");
        Path text = Files.writeString(tmp.resolve("notes.wav"), "this is not audio");
        assertError(CliRun.of("mel", text.toString(), "--out", out.toString()), "notes.wav: not a WAV or FLAC file");
        assertError(CliRun.of("mel", jfk, "--from", "12", "--out", out.toString()), "starts after the end of the audio (11 s long)");
        assertError(CliRun.of("mel", jfk, "--from", "3", "--to", "2", "--out", out.toString()), "empty time window");
        assertError(CliRun.of("mel", jfk, "--n-mels", "64", "--out", out.toString()), "--n-mels must be 80 or 128");
        assertError(CliRun.of("mel", jfk, "--out", tmp.resolve("m.txt").toString()), "--out must end in .safetensors or .png");
        assertError(CliRun.of("mel", jfk, "--preset", "tacotron", "--out", out.toString()), "--preset must be whisper, hifigan or audioldm");
        assertError(CliRun.of("mel", jfk, "--preset", "hifigan", "--n-mels", "128", "--out", out.toString()), "--n-mels applies to the whisper preset only");
        assertError(CliRun.of("mel", jfk), "--out is required");
        assertError(CliRun.of("mel", jfk, "--out", out.toString(), "--hop", "3"), "unknown option --hop");
        assertError(CliRun.of("mel", "--out", out.toString()), "missing audio file");
        assertFalse(Files.exists(out));
        assertTrue(CliRun.of("mel", "--help").out().contains("--n-mels"));
    }

    static void assertError(CliRun r, String part) {
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().startsWith("synesthesia: ") && r.err().contains(part), r.err());
    }

    /**
     * A full disk while writing the PNG: one line, exit 1, no file. (Through ImageIO this was "I/O error writing PNG
     * file!" and, at exit, a NullPointerException trace from ImageIO's StreamCloser hook; PNGs no longer go through
     * ImageIO streams.)
     */
    @Test
    void aFullDiskIsOneLine() throws Exception {
        java.util.Random rnd = new java.util.Random(1);
        float[] noise = new float[3 * 16000];
        for (int i = 0; i < noise.length; i++) noise[i] = rnd.nextFloat() - 0.5f;
        Path wav = tmp.resolve("noise.wav");
        WavWriter.write(wav, new Audio(noise, 16000), WavWriter.Encoding.PCM16);
        try (org.synesthesia.testing.SmallDisk disk = org.synesthesia.testing.SmallDisk.mount(tmp.resolve("disk"), 8, false)) {
            Path out = disk.dir().resolve("x.png");
            CliRun r = CliRun.of("--quiet", "mel", wav.toString(), "--out", out.toString());
            assertEquals(1, r.rc(), r.err());
            assertEquals("synesthesia: " + out + ": cannot write: No space left on device", r.err().strip());
            try (java.util.stream.Stream<Path> s = Files.list(disk.dir())) {
                assertEquals(0, s.count());
            }
        }
    }
}
