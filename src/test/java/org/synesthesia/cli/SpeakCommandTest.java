package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.Audio;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.FakeLine;
import org.synesthesia.testing.SpeechModels;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@code speak} in-process on jfk.wav with the random tiny Whisper and the tiny SD folder: the transcript in the
 * sidecar is what {@code transcribe} prints for the same window and options, the PNG is 8-bit RGB of the requested
 * size; bad inputs give one error line, a non-zero status and no output files.
 */
class SpeakCommandTest {
    @TempDir Path tmp;
    SpeechModels m;

    @BeforeEach
    void setUp() throws IOException {
        m = SpeechModels.in(tmp);
    }

    @AfterEach
    void restore() {
        RecordCommand.lines = AudioSystem::getTargetDataLine;
    }

    private List<String> speak(Path out, String... extra) {
        List<String> a = new ArrayList<>(List.of("speak", "--whisper", m.whisper().toString(), "--tokenizer", m.tokenizers().toString(),
                "--beam-size", "0", "--no-fallback", "--language", "en", "--sd", m.sd().toString(), "--steps", "2",
                "--seed", "7", "--width", "24", "--height", "16", "--out", out.toString()));
        a.addAll(List.of(extra));
        return a;
    }

    @Test
    void fileWindowToImage() throws IOException {
        Path out = tmp.resolve("o/image.png");
        CliRun r = CliRun.of(speak(out, "--audio", m.wav().toString(), "--from", "1", "--to", "4").toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        CliRun t = CliRun.of("--quiet", "transcribe", m.wav().toString(), "--model", m.whisper().toString(), "--tokenizer", m.tokenizers().toString(),
                "--beam-size", "0", "--no-fallback", "--language", "en", "--from", "1", "--to", "4");
        assertEquals(0, t.rc(), t.err());
        String printed = String.join(" ", t.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList());
        assertFalse(printed.isEmpty());
        List<String> txt = Files.readAllLines(out.resolveSibling("image.txt"));
        assertEquals("transcript: " + printed, txt.get(0));
        assertTrue(txt.get(1).startsWith("prompt: "), txt.toString());
        BufferedImage img = ImageIO.read(out.toFile());
        assertEquals(24, img.getWidth());
        assertEquals(16, img.getHeight());
        assertEquals(BufferedImage.TYPE_3BYTE_BGR, img.getType());
        assertEquals(8, img.getColorModel().getComponentSize(0));
        assertFalse(img.getColorModel().hasAlpha());
        String png = new String(Files.readAllBytes(out), java.nio.charset.StandardCharsets.ISO_8859_1);
        for (String k : new String[] {"parameters", "transcript", "prompt"}) assertTrue(png.contains("tEXt" + k + "\0") || png.contains("iTXt" + k + "\0"), k);
        for (String stage : new String[] {"read audio", "load whisper", "mel", "transcription", "load stable diffusion",
            "step 2/2", "denoising total", "vae decode", "peak memory: heap"})
            assertTrue(r.err().contains("speak: " + stage), stage + " in " + r.err());
    }

    @Test
    void recordsFromTheMicrophone() throws IOException {
        Audio jfk = AudioFiles.read(m.wav());
        RecordCommand.lines = f -> FakeLine.of(jfk, f, 800);
        Path out = tmp.resolve("rec.png"), kept = tmp.resolve("take.wav");
        CliRun r = CliRun.of(speak(out, "--record", "3", "--keep-audio", kept.toString()).toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertTrue(Files.exists(out) && Files.exists(tmp.resolve("rec.txt")));
        assertEquals(48000, AudioFiles.read(kept).length());
        CliRun q = CliRun.of("--quiet", "transcribe", kept.toString(), "--model", m.whisper().toString(), "--tokenizer", m.tokenizers().toString(),
                "--beam-size", "0", "--no-fallback", "--language", "en");
        String printed = String.join(" ", q.out().lines().map(String::strip).filter(s -> !s.isEmpty()).toList());
        assertEquals("transcript: " + printed, Files.readAllLines(tmp.resolve("rec.txt")).get(0));
    }

    @Test
    void quietPrintsNothing() {
        Path out = tmp.resolve("q.png");
        List<String> a = new ArrayList<>(List.of("--quiet"));
        a.addAll(speak(out, "--audio", m.wav().toString(), "--to", "2"));
        CliRun r = CliRun.of(a.toArray(String[]::new));
        assertEquals(0, r.rc(), r.err());
        assertEquals("", r.err());
        assertTrue(Files.exists(out));
    }

    @Test
    void badInputsAreOneLineAndWriteNothing() throws IOException {
        Path notAudio = tmp.resolve("notes.wav");
        Files.writeString(notAudio, "this is not audio at all, just some text in a file");
        Path unet = m.sd().resolve("unet/diffusion_pytorch_model.safetensors");
        List<List<String>> cases = List.of(
                List.of("--audio", tmp.resolve("missing.wav").toString()),
                List.of("--audio", m.wav().toString(), "--from", "100"),
                List.of("--audio", m.wav().toString(), "--from", "3", "--to", "3"),
                List.of("--audio", notAudio.toString()),
                List.of("--audio", m.wav().toString(), "--whisper", unet.toString()),
                List.of("--audio", m.wav().toString(), "--record", "2"),
                List.of("--audio", m.wav().toString(), "--steps", "0"));
        for (List<String> c : cases) {
            Path out = tmp.resolve("bad/x.png");
            CliRun r = CliRun.of(speak(out, c.toArray(String[]::new)).toArray(String[]::new));
            assertNotEquals(0, r.rc(), c.toString());
            List<String> lines = r.err().lines().filter(l -> l.startsWith("synesthesia:")).toList();
            assertEquals(1, lines.size(), c + ": " + r.err());
            assertFalse(Files.exists(out) || Files.exists(tmp.resolve("bad/x.txt")), c.toString());
        }
    }

    @Test
    void missingModelsPointAtGetModels() {
        Path out = tmp.resolve("x.png");
        for (String opt : new String[] {"--whisper", "--sd"}) {
            CliRun r = CliRun.of(speak(out, "--audio", m.wav().toString(), opt, tmp.resolve("models/none").toString()).toArray(String[]::new));
            assertEquals(1, r.rc(), r.err());
            assertEquals(1, r.err().strip().lines().count(), r.err());
            assertTrue(r.err().contains("no such") && r.err().contains("tools/get-models"), r.err());
        }
        assertFalse(Files.exists(out));
    }

    @Test
    void nothingSpeakableIsOneClearLine() {
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> SpeakCommand.promptOf(" [BLANK_AUDIO] "));
        assertEquals("speak: nothing speakable in the transcript \"[BLANK_AUDIO]\"", e.getMessage());
        assertEquals("a red fox", SpeakCommand.promptOf("(wind) a red fox [Music]"));
    }
}
