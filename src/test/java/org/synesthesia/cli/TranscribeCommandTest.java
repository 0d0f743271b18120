package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.audio.AudioFiles;
import org.synesthesia.audio.LogMel;
import org.synesthesia.audio.Resampler;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Progress;
import org.synesthesia.whisper.DecodingOptions;
import org.synesthesia.whisper.TranscribeOptions;
import org.synesthesia.whisper.Transcriber;
import org.synesthesia.whisper.Transcript;
import org.synesthesia.whisper.TranscriptWriter;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperTokenizer;

/**
 * {@code transcribe} in-process on jfk.wav with the random tiny model: the transcript (meaningless but
 * deterministic) equals the API's for the same mel and options, is the same on a second run, and the files are
 * written (one temperature: the fallback loop is tested in the whisper package, and six random-model decodes per
 * window would make this slow); bad inputs give one error line and a non-zero status.
 */
class TranscribeCommandTest {
    static final String SET = "whisper_tiny_random";

    @Test
    void transcriptEqualsTheApiAndRepeats(@TempDir Path dir) throws Exception {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path model = SharedData.golden(SET, "weights.safetensors");
        Path tok = SharedData.data("tokenizers");
        String[] cli = {"transcribe", wav.toString(), "--model", model.toString(), "--tokenizer", tok.toString(),
            "--beam-size", "2", "--no-fallback", "--language", "en", "--output-dir", dir.toString(), "--output-format", "all"};
        String[] r1 = runCapturingProgress(cli);
        assertEquals("0", r1[0], r1[2]);
        String[] r2 = runCapturingProgress(cli);
        assertEquals("0", r2[0], r2[2]);
        assertEquals(r1[1], r2[1], "same transcript on a second run");

        Transcript api;
        try (Whisper w = Whisper.load(model)) {
            WhisperTokenizer t = WhisperTokenizer.forModel(tok, w.config().nVocab());
            float[] samples = Resampler.to16k(AudioFiles.read(wav)).samples();
            TranscribeOptions o = TranscribeOptions.DEFAULT.withTemperatures(0.0).withDecoding(
                    DecodingOptions.DEFAULT.withLanguage("en").withBeamSize(2, null).withBestOf(5));
            api = Transcriber.of(w, t).transcribe(LogMel.forTranscription(samples, 80), o, Transcriber.Listener.NONE);
        }
        assertTrue(!api.segments().isEmpty());
        assertEquals(TranscriptWriter.format(api, TranscriptWriter.Format.TXT), r1[1]);
        for (TranscriptWriter.Format f : TranscriptWriter.Format.values())
            assertEquals(TranscriptWriter.format(api, f), Files.readString(dir.resolve("jfk." + f.extension()), StandardCharsets.UTF_8), f.toString());
        assertTrue(r1[2].contains("-->"), "segments on stderr: " + r1[2]);
    }

    @Test
    void timeWindowKeepsTheFileTimestamps(@TempDir Path dir) throws Exception {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        String[] r = MainTest.run("transcribe", wav.toString(), "--model", SharedData.golden(SET, "weights.safetensors").toString(),
                "--tokenizer", SharedData.data("tokenizers").toString(), "--from", "2", "--to", "5", "--beam-size", "0",
                "--no-fallback", "--language", "en", "--output-dir", dir.toString(), "--output-format", "tsv", "--quiet");
        assertEquals("0", r[0], r[2]);
        java.util.List<String> rows = Files.readAllLines(dir.resolve("jfk.tsv"));
        assertEquals("start\tend\ttext", rows.get(0));
        assertTrue(rows.size() > 1, rows.toString());
        for (String row : rows.subList(1, rows.size())) {
            String[] f = row.split("\t");
            int start = Integer.parseInt(f[0]), end = Integer.parseInt(f[1]);
            assertTrue(start >= 2000 && end >= start && end <= 2000 + 30000, row); // ms, from the file's start
        }
    }

    /** {@link MainTest#run} with {@link Progress} (which keeps the stderr of its first use) writing to the captured stderr. */
    static String[] runCapturingProgress(String... args) {
        java.io.ByteArrayOutputStream e = new java.io.ByteArrayOutputStream();
        java.io.PrintStream err = new java.io.PrintStream(e, true, StandardCharsets.UTF_8);
        Progress.setStream(err);
        try {
            String[] r = MainTest.run(args);
            r[2] = r[2] + e.toString(StandardCharsets.UTF_8);
            return r;
        } finally {
            Progress.setStream(System.err);
        }
    }

    @Test
    void oneOutputFormatGoesToStdoutWithoutOutputDir() {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path model = SharedData.golden(SET, "weights.safetensors");
        Path tok = SharedData.data("tokenizers");
        String[] base = {"transcribe", wav.toString(), "--model", model.toString(), "--tokenizer", tok.toString(),
            "--beam-size", "1", "--no-fallback", "--language", "en", "--to", "3"};
        CliRun txt = CliRun.of(base);
        assertEquals(0, txt.rc(), txt.err());
        String[] srt = java.util.Arrays.copyOf(base, base.length + 2);
        srt[base.length] = "--output-format";
        srt[base.length + 1] = "srt";
        CliRun s = CliRun.of(srt);
        assertEquals(0, s.rc(), s.err());
        assertTrue(s.out().matches("(?s)1\\n\\d\\d:\\d\\d:\\d\\d,\\d{3} --> .*"), s.out());
        assertNotEquals(txt.out(), s.out());
        srt[base.length + 1] = "json";
        CliRun j = CliRun.of(srt);
        assertTrue(j.out().strip().startsWith("{"), j.out());
    }

    @Test
    void badInputsGiveOneErrorLine(@TempDir Path dir) {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path model = SharedData.golden(SET, "weights.safetensors");
        Path tok = SharedData.data("tokenizers");
        String[][] cases = {
            {"transcribe", dir.resolve("missing.wav").toString(), "--model", model.toString(), "--tokenizer", tok.toString()},
            {"transcribe", wav.toString(), "--model", dir.resolve("missing.safetensors").toString(), "--tokenizer", tok.toString()},
            {"transcribe", wav.toString(), "--model", model.toString(), "--tokenizer", dir.toString()},
            {"transcribe", wav.toString(), "--model", model.toString(), "--tokenizer", tok.toString(), "--task", "summarize"},
            {"transcribe", wav.toString(), "--model", model.toString(), "--tokenizer", tok.toString(), "--from", "20"},
            {"transcribe", wav.toString(), "--tokenizer", tok.toString()},
        };
        for (String[] c : cases) {
            String[] r = MainTest.run(c);
            assertNotEquals("0", r[0], String.join(" ", c));
            assertEquals(1, r[2].lines().count(), r[2]);
            assertTrue(r[2].startsWith("synesthesia: "), r[2]);
        }
        // no --tokenizer: the error says where it looked
        if (System.getenv(TranscribeCommand.TOKENIZERS_ENV) == null) {
            String[] r = MainTest.run("transcribe", wav.toString(), "--model", model.toString());
            assertEquals("1", r[0]);
            assertEquals(1, r[2].lines().count(), r[2]);
            assertTrue(r[2].contains(model.toAbsolutePath().getParent().toString()) && r[2].contains("SYNESTHESIA_TOKENIZERS"), r[2]);
        }
    }
}
