package org.synesthesia.whisper;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;
import org.synesthesia.whisper.TranscriptWriter.Format;

/**
 * Transcript writers, compression ratio and Python-style JSON. Expected texts were produced by CPython 3.11 running
 * openai/whisper's writer code ({@code format_timestamp}, {@code print}, {@code json.dump}) on the same segments,
 * and {@code zlib.compress} (zlib 1.2.13) for the compression ratios.
 */
class TranscriptWriterTest {
    static Transcript sample() {
        List<Segment> segs = List.of(
                new Segment(0, 0, 0.0, 3.5, " And so my fellow Americans,", new int[] {50364, 400, 370, 452, 7177, 6280, 11, 50539},
                        0.0, -0.2345678901234, 1.3670886075949367, 0.0123),
                new Segment(1, 0, 3.5, 7.0005, " ask not --> what\tyour country\u00a0", new int[] {1029, 406},
                        0.2, -1e-05, 0.8103448275862069, 5e-07),
                new Segment(2, 3000, 3725.0625, 3726.4995, " caf\u00e9 \u6771\u4eac \ud83d\ude00", new int[0],
                        1.0, Double.NEGATIVE_INFINITY, 2.4, 1.0));
        return Transcript.of(segs, "en");
    }

    @Test
    void txt() {
        assertEquals(TXT, TranscriptWriter.format(sample(), Format.TXT));
    }

    @Test
    void vtt() {
        assertEquals(VTT, TranscriptWriter.format(sample(), Format.VTT));
    }

    @Test
    void srt() {
        assertEquals(SRT, TranscriptWriter.format(sample(), Format.SRT));
    }

    @Test
    void tsv() {
        assertEquals(TSV, TranscriptWriter.format(sample(), Format.TSV));
    }

    @Test
    void json() {
        assertEquals(JSON, TranscriptWriter.format(sample(), Format.JSON));
    }

    /** whisper.cpp's LRC layout: [by:] tag, then [mm:ss.cc] of each start (minutes past 59 not wrapped) and the raw text. */
    @Test
    void lrc() {
        assertEquals("[by:synesthesia]\n" + "[00:00.00] And so my fellow Americans,\n" + "[00:03.50] ask not --> what\tyour country\u00a0\n"
                + "[62:05.06] caf\u00e9 \u6771\u4eac \ud83d\ude00\n", TranscriptWriter.format(sample(), Format.LRC));
    }

    /** whisper.cpp's CSV layout: start,end in ms, the raw text in quotes with " and \ escaped by a backslash. */
    @Test
    void csv() {
        assertEquals("start,end,text\n" + "0,3500,\" And so my fellow Americans,\"\n" + "3500,7000,\" ask not --> what\tyour country\u00a0\"\n"
                + "3725062,3726500,\" caf\u00e9 \u6771\u4eac \ud83d\ude00\"\n", TranscriptWriter.format(sample(), Format.CSV));
        Transcript quoted = Transcript.of(List.of(new Segment(0, 0, 1.0, 2.0, " say \"hi\" \\o/", new int[0], 0.0, -0.1, 1.0, 0.0)), "en");
        assertEquals("start,end,text\n1000,2000,\" say \\\"hi\\\" \\\\o/\"\n", TranscriptWriter.format(quoted, Format.CSV));
    }

    static final String TXT = "And so my fellow Americans,\n" + "ask not --> what\tyour country\n" + "caf\u00e9 \u6771\u4eac \ud83d\ude00\n";
    static final String VTT = "WEBVTT\n" + "\n" + "00:00.000 --> 00:03.500\n" + "And so my fellow Americans,\n" + "\n" + "00:03.500 --> 00:07.000\n" + "ask not -> what\tyour country\n" + "\n" + "01:02:05.062 --> 01:02:06.500\n" + "caf\u00e9 \u6771\u4eac \ud83d\ude00\n" + "\n";
    static final String SRT = "1\n" + "00:00:00,000 --> 00:00:03,500\n" + "And so my fellow Americans,\n" + "\n" + "2\n" + "00:00:03,500 --> 00:00:07,000\n" + "ask not -> what\tyour country\n" + "\n" + "3\n" + "01:02:05,062 --> 01:02:06,500\n" + "caf\u00e9 \u6771\u4eac \ud83d\ude00\n" + "\n";
    static final String TSV = "start\tend\ttext\n" + "0\t3500\tAnd so my fellow Americans,\n" + "3500\t7000\task not --> what your country\n" + "3725062\t3726500\tcaf\u00e9 \u6771\u4eac \ud83d\ude00\n";
    static final String JSON = "{\"text\": \" And so my fellow Americans, ask not --> what\\tyour country\\u00a0 caf\\u00e9 \\u6771\\u4eac \\ud83d\\ude00\", \"segments\": [{\"id\": 0, \"seek\": 0, \"start\": 0.0, \"end\": 3.5, \"text\": \" And so my fellow Americans,\", \"tokens\": [50364, 400, 370, 452, 7177, 6280, 11, 50539], \"temperature\": 0.0, \"avg_logprob\": -0.2345678901234, \"compression_ratio\": 1.3670886075949367, \"no_speech_prob\": 0.0123}, {\"id\": 1, \"seek\": 0, \"start\": 3.5, \"end\": 7.0005, \"text\": \" ask not --> what\\tyour country\\u00a0\", \"tokens\": [1029, 406], \"temperature\": 0.2, \"avg_logprob\": -1e-05, \"compression_ratio\": 0.8103448275862069, \"no_speech_prob\": 5e-07}, {\"id\": 2, \"seek\": 3000, \"start\": 3725.0625, \"end\": 3726.4995, \"text\": \" caf\\u00e9 \\u6771\\u4eac \\ud83d\\ude00\", \"tokens\": [], \"temperature\": 1.0, \"avg_logprob\": -Infinity, \"compression_ratio\": 2.4, \"no_speech_prob\": 1.0}], \"language\": \"en\"}";

    @Test
    void timestampsRoundHalfToEvenLikePython() {
        // Python: [format_timestamp(x) for x in [0.0005, 0.0015, 0.0025, 59.9996, 3599.9995, 86400.0]]
        String[] expected = {"00:00.000", "00:00.002", "00:00.002", "01:00.000", "01:00:00.000", "24:00:00.000"};
        double[] in = {0.0005, 0.0015, 0.0025, 59.9996, 3599.9995, 86400.0};
        for (int i = 0; i < in.length; i++) assertEquals(expected[i], TranscriptWriter.formatTimestamp(in[i], false, '.'));
        assertEquals("00:00:11,000", TranscriptWriter.formatTimestamp(11.0, true, ','));
        assertThrows(IllegalArgumentException.class, () -> TranscriptWriter.formatTimestamp(-0.5, false, '.'));
        assertThrows(IllegalArgumentException.class, () -> TranscriptWriter.formatTimestamp(Double.NaN, false, '.'));
    }

    @Test
    void pythonFloatRepr() {
        // json.dumps([...]) in CPython 3.11
        double[] v = {0.0, -0.0, 1.0, 11.0, 0.1, 1e-05, 0.0001, 1e16, 1e15, 123456789.123, 2.5e-7, -1.2345678901234567e-300,
            1.7976931348623157e308, 5e-324, Double.NaN, Double.POSITIVE_INFINITY, Double.NEGATIVE_INFINITY,
            0.30000000000000004, 2.3999999999999995, 100.0, 1e22, 12345678901234567.0};
        String expected = "[0.0, -0.0, 1.0, 11.0, 0.1, 1e-05, 0.0001, 1e+16, 1000000000000000.0, 123456789.123, 2.5e-07, "
                + "-1.2345678901234568e-300, 1.7976931348623157e+308, 5e-324, NaN, Infinity, -Infinity, 0.30000000000000004, "
                + "2.3999999999999995, 100.0, 1e+22, 1.2345678901234568e+16]";
        java.util.List<Object> list = new java.util.ArrayList<>();
        for (double d : v) list.add(d);
        assertEquals(expected, Json.writePython(list));
        // json.dumps({"text": "h\u00e9llo \"q\" \\ \n\t\x7f\x00 \U0001F600 \u2028 \x1f \b\f", "n": 3})
        java.util.Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("text", "h\u00e9llo \"q\" \\ \n\t\u007f\u0000 \ud83d\ude00 \u2028 \u001f \b\f");
        m.put("n", 3);
        assertEquals("{\"text\": \"h\\u00e9llo \\\"q\\\" \\\\ \\n\\t\\u007f\\u0000 \\ud83d\\ude00 \\u2028 \\u001f \\b\\f\", \"n\": 3}",
                Json.writePython(m));
    }

    @Test
    void compressionRatioMatchesZlib() {
        // len(b) / len(zlib.compress(b)) in CPython 3.11 with zlib 1.2.13
        assertEquals(0.0, CompressionRatio.of(""), 0.0);
        assertEquals(8, CompressionRatio.compressedLength(new byte[0]));
        assertEquals(1.0 / 9, CompressionRatio.of("a"), 1e-15);
        assertEquals(108.0 / 79, CompressionRatio.of(" And so my fellow Americans, ask not what your country can do for you, ask what you can do for your country."), 1e-15);
        assertEquals(100.0 / 15, CompressionRatio.of(" the".repeat(25)), 1e-15);
        assertEquals(47.0 / 58, CompressionRatio.of("\u3053\u3093\u306b\u3061\u306f\u3001\u4e16\u754c\u3002\ud83d\ude00 \u6771\u4eac\u30bf\u30ef\u30fc"), 1e-15);
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 500; i++) { if (i > 0) b.append(' '); b.append(i); }
        assertEquals(1889.0 / 893, CompressionRatio.of(b.toString()), 1e-15);
        // a looping transcript is caught by whisper's threshold 2.4
        assertTrue(CompressionRatio.of(" I'm sorry.".repeat(40)) > 2.4);
    }

    @Test
    void writesFilesNamedAfterTheAudio(@TempDir Path dir) throws Exception {
        List<Path> paths = TranscriptWriter.writeAll(dir.resolve("out"), Path.of("/some/where/jfk.16k.wav"), sample(),
                List.of(Format.TXT, Format.SRT, Format.JSON));
        assertEquals(List.of(dir.resolve("out/jfk.16k.txt"), dir.resolve("out/jfk.16k.srt"), dir.resolve("out/jfk.16k.json")), paths);
        assertEquals(TXT, Files.readString(paths.get(0), StandardCharsets.UTF_8));
        assertEquals(SRT, Files.readString(paths.get(1), StandardCharsets.UTF_8));
        assertEquals(JSON, Files.readString(paths.get(2), StandardCharsets.UTF_8));
        try (var s = Files.list(dir.resolve("out"))) {
            assertEquals(3, s.count()); // no temporary files left behind
        }
        assertEquals(Format.VTT, Format.parse("VTT"));
        assertThrows(SynesthesiaException.class, () -> Format.parse("docx"));
        Path blocked = dir.resolve("file");
        Files.writeString(blocked, "x");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> TranscriptWriter.write(blocked.resolve("a.txt"), sample(), Format.TXT));
        assertTrue(e.getMessage().contains("a.txt"), e.getMessage());
    }

    @Test
    void pythonStrip() {
        assertEquals("a b", PyText.strip("\u00a0\u3000 \t\na b\u2028\u0085\u001c"));
        assertEquals("\u200ba", PyText.strip("\u200ba ")); // zero width space is not whitespace in Python
        assertEquals("", PyText.strip("   "));
    }
}
