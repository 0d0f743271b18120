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

    /** jfk's first 3 s, greedy, one temperature, English: {@code extra} appended (long spellings). */
    static String[] jfk3(String... extra) {
        String[] base = {"transcribe", SharedData.data("speech/jfk/jfk.wav").toString(), "--model",
            SharedData.golden(SET, "weights.safetensors").toString(), "--tokenizer", SharedData.data("tokenizers").toString(),
            "--to", "3", "--beam-size", "1", "--no-fallback", "--language", "en"};
        String[] a = java.util.Arrays.copyOf(base, base.length + extra.length);
        System.arraycopy(extra, 0, a, base.length, extra.length);
        return a;
    }

    /** whisper-cli's short flags give what the long options give; -otxt -osrt -olrc -ocsv -of write BASE.<ext> each. */
    @Test
    void whisperCliShortFlagsAndSeveralFormatsAtOnce(@TempDir Path dir) throws Exception {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path model = SharedData.golden(SET, "weights.safetensors");
        Path tok = SharedData.data("tokenizers");
        Path base = dir.resolve("sub/out");
        CliRun s = CliRun.of("transcribe", "-m", model.toString(), "-f", wav.toString(), "--tokenizer", tok.toString(),
                "-l", "en", "-t", "2", "-bs", "1", "-bo", "3", "-nf", "--to", "3", "-otxt", "-osrt", "-olrc", "-ocsv", "-oj", "-of", base.toString());
        assertEquals(0, s.rc(), s.err());
        for (String ext : new String[] {"txt", "srt", "lrc", "csv", "json"}) {
            CliRun one = CliRun.of(jfk3("--best-of", "3", "--output-format", ext));
            assertEquals(0, one.rc(), one.err());
            assertEquals(one.out(), Files.readString(dir.resolve("sub/out." + ext), StandardCharsets.UTF_8), ext);
        }
        assertEquals(Files.readString(dir.resolve("sub/out.txt"), StandardCharsets.UTF_8), s.out(), "several formats: txt on stdout");
        try (var files = Files.list(dir.resolve("sub"))) {
            assertEquals(5, files.count(), "only the five asked for (no temporary files left)");
        }
        assertTrue(Files.readString(dir.resolve("sub/out.lrc")).startsWith("[by:synesthesia]\n[00:"));
        assertTrue(Files.readString(dir.resolve("sub/out.csv")).matches("(?s)start,end,text\n\\d+,\\d+,\".*\"\n"));

        // -tr / --translate are --task translate; -nt is --without-timestamps
        CliRun tr = CliRun.of(jfk3("-tr", "-nt", "--output-format", "json"));
        CliRun task = CliRun.of(jfk3("--task", "translate", "--without-timestamps", "--output-format", "json"));
        assertEquals(0, tr.rc(), tr.err());
        assertEquals(task.out(), tr.out());
        // the short flags are listed in --help; an unknown one is still an error
        CliRun help = CliRun.of("transcribe", "--help");
        for (String flag : new String[] {"-m ", "-f ", "-l ", "-t ", "-bs", "-bo", "-tr", "-otxt", "-osrt", "-ovtt", "-oj", "-of", "-pp", "-nt"})
            assertTrue(help.out().contains(flag), flag + " in --help");
        CliRun bad = CliRun.of(jfk3("-ox"));
        assertEquals(1, bad.rc());
        assertTrue(bad.err().contains("unknown option -ox"), bad.err());
    }

    /** A target that cannot be written fails before the transcription, with one line and no file; conflicting choices too. */
    @Test
    void outputFileProblemsFailFirst(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("afile"), "x");
        String[][] cases = {
            jfk3("-otxt", "-osrt", "-of", dir.resolve("afile/out").toString()),
            jfk3("-otxt", "--output-format", "srt", "-of", dir.resolve("out").toString()),
            jfk3("-of", dir.resolve("out").toString(), "--output-dir", dir.toString()),
            jfk3("-t", "0"),
        };
        for (String[] c : cases) {
            CliRun r = CliRun.of(c);
            assertEquals(1, r.rc(), String.join(" ", c));
            assertEquals(1, r.err().lines().count(), r.err());
            assertTrue(!r.err().contains("-->"), "failed before transcribing: " + r.err());
        }
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "nothing written");
        }
    }

    /** --detect-language prints the API's detection (code, name, probability) and decodes nothing; -pp prints progress lines. */
    @Test
    void detectLanguageAndPrintProgress() throws Exception {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path model = SharedData.golden(SET, "weights.safetensors");
        Path tok = SharedData.data("tokenizers");
        CliRun r = CliRun.of("transcribe", wav.toString(), "-m", model.toString(), "--tokenizer", tok.toString(), "-dl");
        assertEquals(0, r.rc(), r.err());
        org.synesthesia.whisper.LanguageDetection d;
        try (Whisper w = Whisper.load(model)) {
            WhisperTokenizer t = WhisperTokenizer.forModel(tok, w.config().nVocab());
            float[] samples = Resampler.to16k(AudioFiles.read(wav)).samples();
            d = Transcriber.of(w, t).detectLanguage(LogMel.forTranscription(samples, 80));
        }
        String[] f = r.out().strip().split("\t");
        assertEquals(3, f.length, r.out());
        assertEquals(d.language(), f[0]);
        assertEquals(d.probs().get(d.language()), Double.parseDouble(f[2]), 1e-6);
        assertTrue(!r.err().contains("-->"), "nothing decoded: " + r.err());

        CliRun pp = CliRun.of(jfk3("-pp"));
        assertEquals(0, pp.rc(), pp.err());
        assertTrue(pp.err().contains("progress = 0%") && pp.err().contains("progress = 100%"), pp.err());
        CliRun quiet = CliRun.of(jfk3("--print-progress", "--quiet"));
        assertTrue(!quiet.err().contains("progress ="), quiet.err());
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
