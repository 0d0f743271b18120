package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.testing.SharedData;

/** {@code vocode} through the real HiFi-GAN V2 LJSpeech generator on a real utterance. */
class VocodeCommandTest {
    static final String VOCODER = "weights/hifigan-v2-ljspeech/generator_v2";
    static final String SPEECH = "speech/hifitts-6097/audio/swag_06_tompkins_0883.wav";

    @Test
    void resynthesisesSpeechCloseToItsMel(@TempDir Path dir) {
        Path out = dir.resolve("resynth.wav");
        CliRun r = CliRun.of("vocode", SharedData.data(SPEECH).toString(), "--vocoder", SharedData.data(VOCODER).toString(), "--out", out.toString());
        assertEquals(0, r.rc(), r.err());
        Matcher m = Pattern.compile("mean absolute log-mel distance: ([0-9.]+)").matcher(r.out());
        assertTrue(m.find(), r.out());
        double d = Double.parseDouble(m.group(1));
        // the golden's 0.423 comes from scipy's resampler; ours differs slightly, white noise would give 2.6
        assertTrue(d <= 0.45, "distance " + d);
        Audio a = AudioFiles.read(out);
        assertEquals(22_050, a.sampleRate());
        assertTrue(a.seconds() > 1.8 && a.seconds() < 2.0, a.seconds() + " s");
        assertTrue(r.err().contains("wrote " + out), r.err());
    }

    @Test
    void notAVocoderIsOneLineAndNoOutput(@TempDir Path dir) {
        Path out = dir.resolve("x.wav");
        CliRun r = CliRun.of("vocode", SharedData.data(SPEECH).toString(), "--vocoder",
                SharedData.golden("whisper_tiny_random", "weights.safetensors").toString(), "--out", out.toString());
        assertEquals(1, r.rc(), r.err());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("no HiFi-GAN generator"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void outputMustBeWav(@TempDir Path dir) {
        CliRun r = CliRun.of("vocode", SharedData.data(SPEECH).toString(), "--vocoder", SharedData.data(VOCODER).toString(), "--out", dir.resolve("x.mp3").toString());
        assertEquals(1, r.rc(), r.err());
        assertTrue(r.err().contains("--out must end in .wav"), r.err());
    }
}
