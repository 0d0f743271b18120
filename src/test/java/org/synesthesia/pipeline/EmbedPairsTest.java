package org.synesthesia.pipeline;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.clip.ClipTextModel;
import org.synesthesia.clip.ClipTokenizer;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.EmbedModels;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.PairFiles;
import org.synesthesia.util.Json;
import org.synesthesia.util.SynesthesiaException;

/**
 * {@link EmbedPairs} on AudioCaps-style captions with the tiny CLIP text (plus a projection) and CLAP text models:
 * each pair equals the models called directly on its caption, {@code --shard 0/2} and {@code 1/2} together write the
 * files of one run, an interrupted run resumes to the same files, failing rows are skipped and recorded, and the
 * per-sample text files read back equal to the shards.
 */
class EmbedPairsTest {
    @TempDir static Path models;
    static EmbedModels m;
    static ClipTextEmbedder clip;
    static ClapTextModel clap;
    static RobertaTokenizer roberta;
    static Path csv;

    /** Rows 3 (empty caption) and 5 (two fields) fail; captions hold commas, quotes and a line break. */
    static final String CSV = "audiocap_id,youtube_id,start_time,caption\n"
            + "101,yt0,0,\"A dog barks, then a cat meows\"\n"
            + "102,yt1,10,Rain falls on a tin roof\n"
            + "103,yt2,20,\"He says \"\"hello\"\" twice\"\n"
            + "104,yt3,30,\"\"\n"
            + "105,yt4,40,\"Wind blowing\nthrough trees\"\n"
            + "106,yt5\n"
            + "107,yt6,60,Birds chirping in the morning\n"
            + "108,yt7,70,An engine idles and revs\n";
    static final Map<Long, String> GOOD = new TreeMap<>(Map.of(0L, "A dog barks, then a cat meows", 1L, "Rain falls on a tin roof",
            2L, "He says \"hello\" twice", 4L, "Wind blowing\nthrough trees", 6L, "Birds chirping in the morning", 7L, "An engine idles and revs"));

    @BeforeAll
    static void load() throws Exception {
        m = EmbedModels.under(models);
        clip = ClipTextEmbedder.load(m.clip(), m.clipTokenizer());
        clap = ClapTextModel.load(m.clap(), null);
        roberta = RobertaTokenizer.fromFolder(m.roberta());
        csv = models.resolve("train.csv");
        Files.writeString(csv, CSV);
    }

    @AfterAll
    static void close() {
        if (clip != null) clip.close();
        if (clap != null) clap.close();
    }

    static EmbedSettings settings(Path out, Path textOut, int rowsPerShard, int shard, int shards, long maxFailures, int batch) {
        return new EmbedSettings(csv, ',', true, true, "caption", null, "audiocap_id", Map.of(), -1, rowsPerShard, shard, shards, out, textOut,
                maxFailures, batch);
    }

    static EmbedPairs.Summary run(EmbedSettings s, EmbedPairs.Listener l) {
        return new EmbedPairs("embed", l).run(s, clip, clap, roberta);
    }

    /** File name -> bytes of every file in {@code dir}. */
    static Map<String, byte[]> files(Path dir) throws Exception {
        Map<String, byte[]> out = new TreeMap<>();
        try (Stream<Path> s = Files.list(dir)) {
            for (Path p : s.toList()) out.put(p.getFileName().toString(), Files.readAllBytes(p));
        }
        return out;
    }

    static void assertSameFiles(Map<String, byte[]> want, Map<String, byte[]> got) {
        assertEquals(want.keySet(), got.keySet());
        for (String k : want.keySet()) assertArrayEquals(want.get(k), got.get(k), k);
    }

    @Test
    void pairsEqualTheModelsCalledDirectlyAndFailuresAreRecorded(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pairs");
        List<String> skipped = new ArrayList<>();
        EmbedPairs.Summary s = run(settings(out, null, 3, 0, 1, -1, 2), new EmbedPairs.Listener() {
            @Override
            public void skipped(long row, String reason) {
                skipped.add(row + ": " + reason);
            }
        });
        assertEquals(new EmbedPairs.Summary(8, 3, 3, 0, 6, 2), s);
        assertEquals(List.of("3: line 5: empty caption", "5: line 8: 2 fields, expected at least 4"), skipped);
        EmbeddingPairs p = PairFiles.read(out);
        assertEquals(List.of("101", "102", "103", "105", "107", "108"), p.ids());
        assertEquals(EmbedModels.PROJECTION, p.clipDim());
        assertEquals(512, p.clapDim());
        ClipTextModel model = clip.model();
        int i = 0;
        for (String caption : GOOD.values()) {
            float[] c = model.textFeatures(clip.ids(caption), 1).toArray();
            float[] a = clap.embed(roberta, List.of(caption)).toArray();
            Assert.close("clip " + caption, c, java.util.Arrays.copyOfRange(p.clip(), i * p.clipDim(), (i + 1) * p.clipDim()), 1e-5, 1e-5);
            Assert.close("clap " + caption, a, java.util.Arrays.copyOfRange(p.clap(), i * 512, (i + 1) * 512), 1e-6, 1e-5);
            i++;
        }
        // the CLIP ids are openai's: start, BPE, end (no padding), and the row's features are not all equal
        assertEquals(ClipTokenizer.START_OF_TEXT, clip.ids("a")[0]);
        assertFalse(p.clip()[0] == p.clip()[p.clipDim()]);
        Map<String, String> meta;
        try (SafeTensors st = SafeTensors.open(out.resolve("pairs-00001.safetensors"))) {
            meta = st.metadata();
        }
        assertEquals("2", meta.get("skipped"));
        assertEquals(List.of("3: line 5: empty caption", "5: line 8: 2 fields, expected at least 4"), Json.parse(meta.get("skipped_rows")));
        assertEquals("[4]", meta.get("rows"));
        assertEquals("train.csv", meta.get("source"));
        assertEquals("3", meta.get("first_row"));
        assertEquals("6", meta.get("end_row"));
    }

    @Test
    void twoShardedRunsWriteTheFilesOfOneRunAndEveryRowOnce(@TempDir Path dir) throws Exception {
        Path one = dir.resolve("one"), split = dir.resolve("split");
        run(settings(one, null, 2, 0, 1, -1, 8), null);
        EmbedPairs.Summary a = run(settings(split, null, 2, 0, 2, -1, 8), null);
        assertEquals(List.of("pairs-00000.safetensors", "pairs-00002.safetensors"), List.copyOf(files(split).keySet()));
        EmbedPairs.Summary b = run(settings(split, null, 2, 1, 2, -1, 8), null);
        assertEquals(2, a.shardsWritten());
        assertEquals(2, b.shardsWritten());
        assertEquals(6, a.pairs() + b.pairs());
        assertSameFiles(files(one), files(split));
        List<Long> rows = new ArrayList<>();
        for (String f : files(split).keySet())
            try (SafeTensors st = SafeTensors.open(split.resolve(f))) {
                for (Object r : (List<?>) Json.parse(st.metadata().get("rows"))) rows.add(((Number) r).longValue());
            }
        assertEquals(List.copyOf(GOOD.keySet()), rows);
    }

    @Test
    void anInterruptedRunResumesToTheSameFiles(@TempDir Path dir) throws Exception {
        Path whole = dir.resolve("whole"), cut = dir.resolve("cut");
        run(settings(whole, null, 3, 0, 1, -1, 2), null);
        class Stop extends RuntimeException {}
        int[] written = {0};
        assertThrows(Stop.class, () -> run(settings(cut, null, 3, 0, 1, -1, 2), new EmbedPairs.Listener() {
            @Override
            public void shardWritten(Path file, int pairs, int skipped) {
                if (++written[0] == 1) throw new Stop();
            }
        }));
        assertEquals(List.of("pairs-00000.safetensors"), List.copyOf(files(cut).keySet())); // no partial shard, no temp file
        long[] planned = new long[2];
        EmbedPairs.Summary s = run(settings(cut, null, 3, 0, 1, -1, 2), new EmbedPairs.Listener() {
            @Override
            public void planned(long rows, int shards, long rowsToDo, int shardsToDo) {
                planned[0] = rowsToDo;
                planned[1] = shardsToDo;
            }
        });
        assertArrayEquals(new long[] {5, 2}, planned);
        assertEquals(1, s.shardsKept());
        assertEquals(2, s.shardsWritten());
        assertSameFiles(files(whole), files(cut));
        Files.delete(cut.resolve("pairs-00002.safetensors"));
        assertEquals(1, run(settings(cut, null, 3, 0, 1, -1, 2), null).shardsWritten());
        assertSameFiles(files(whole), files(cut));
        // a kept shard made with other settings is an error, not silently mixed in
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> run(settings(cut, null, 4, 0, 1, -1, 2), null));
        assertTrue(e.getMessage().contains("pairs-00000.safetensors") && e.getMessage().contains("rows_per_shard"), e.getMessage());
    }

    @Test
    void textFilesReadBackEqualToTheShards(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pairs"), text = dir.resolve("text");
        run(settings(out, text, 3, 0, 1, -1, 8), null);
        List<String> names = new ArrayList<>(files(text).keySet());
        assertEquals(List.of("muestra_0.txt", "muestra_1.txt", "muestra_2.txt", "muestra_4.txt", "muestra_6.txt", "muestra_7.txt"), names);
        EmbeddingPairs shards = PairFiles.read(out), texts = PairFiles.read(text);
        assertArrayEquals(shards.clip(), texts.clip());
        assertArrayEquals(shards.clap(), texts.clap());
        assertTrue(Files.readString(text.resolve("muestra_4.txt")).startsWith("CLIP Embedding:\n"));
        // text files only: pairs-kkkkk.done.json marks a complete shard; a rerun remakes the shards without one
        Path only = dir.resolve("only");
        run(settings(null, only, 3, 0, 1, -1, 8), null);
        Map<String, String> done = Map.of("rows", "[6,7]", "skipped", "0", "ids", "[\"107\",\"108\"]", "format", PairFiles.FORMAT);
        Map<String, Object> record = Json.parseObject(Files.readString(only.resolve("pairs-00002.done.json")));
        for (Map.Entry<String, String> e : done.entrySet()) assertEquals(e.getValue(), record.get(e.getKey()), e.getKey());
        Files.delete(only.resolve("muestra_6.txt"));
        Files.delete(only.resolve("pairs-00002.done.json"));
        EmbedPairs.Summary s = run(settings(null, only, 3, 0, 1, -1, 8), null);
        assertEquals(2, s.shardsKept());
        assertEquals(1, s.shardsWritten());
        Map<String, byte[]> remade = files(only);
        remade.keySet().removeIf(k -> !k.endsWith(".txt"));
        assertSameFiles(files(text), remade);
    }

    @Test
    void aShardWhoseRowsAllFailedIsWrittenEmptyAndReadsBack(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pairs");
        EmbedPairs.Summary s = run(settings(out, null, 1, 0, 1, -1, 8), null);
        assertEquals(8, s.shardsWritten());
        assertEquals(0, PairFiles.read(out.resolve("pairs-00003.safetensors")).count());
        assertEquals(6, PairFiles.read(out).count());
    }

    @Test
    void moreFailuresThanAllowedStopTheRunKeepingCompleteShards(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("pairs");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> run(settings(out, null, 3, 0, 1, 1, 8), null));
        assertEquals("embed: 2 rows failed, more than --max-failures 1 (the last: row 5: line 8: 2 fields, expected at least 4);"
                + " the shards written are complete, a rerun resumes", e.getMessage());
        assertEquals(List.of("pairs-00000.safetensors"), List.copyOf(files(out).keySet()));
    }

    @Test
    void aMissingColumnIsOneLineBeforeAnyOutput(@TempDir Path dir) {
        Path out = dir.resolve("pairs");
        EmbedSettings s = new EmbedSettings(csv, ',', true, true, "text", null, null, Map.of(), -1, 3, 0, 1, out, null, -1, 8);
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> run(s, null));
        assertEquals(csv + ": no caption column 'text' (its columns: audiocap_id, youtube_id, start_time, caption)", e.getMessage());
        assertFalse(Files.exists(out));
    }
}
