package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.EmbedModels;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.PairFiles;

/**
 * {@code embed} end to end on the tiny CLIP text (plus projection) and CLAP text models: shards and text files
 * from an AudioCaps CSV, sharded runs, skipped rows as one stderr line each (also with --quiet), and one-line errors
 * for bad input with no output written.
 */
class EmbedCommandTest {
    @TempDir static Path dir;
    static EmbedModels m;
    static Path csv;

    @BeforeAll
    static void setUp() throws Exception {
        m = EmbedModels.under(dir);
        csv = dir.resolve("audiocaps_train.csv");
        Files.writeString(csv, "audiocap_id,youtube_id,start_time,caption\n"
                + "91139,r1nicOVtvkQ,130,A woman talks nearby as water pours\n"
                + "58146,UDGBjjwyaqE,20,\"Multiple clanging and clanking sounds, then \"\"ding\"\"\"\n"
                + "11542,8NklcrbHmSY,30,\n"
                + "60806,Yu-UfjyXK4g,210,A man speaks followed by a loud bang\n");
    }

    static CliRun embed(String... more) {
        List<String> a = new ArrayList<>(List.of("embed", csv.toString(), "--clip", m.clip().toString(), "--clip-tokenizer", m.clipTokenizer().toString(),
                "--clap", m.clap().toString(), "--tokenizer", m.roberta().toString()));
        a.addAll(Arrays.asList(more));
        return CliRun.of(a.toArray(String[]::new));
    }

    static List<String> lines(String err, String containing) {
        return err.lines().filter(l -> l.contains(containing)).toList();
    }

    @Test
    void writesShardsAndTextFilesSkippingTheEmptyCaption(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("pairs"), text = tmp.resolve("text");
        CliRun r = embed("--out", out.toString(), "--text-out", text.toString(), "--rows-per-shard", "2");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("embed: row 2 skipped: line 4: empty caption"), lines(r.err(), "skipped:"));
        assertTrue(r.err().contains("embed: 4 rows in 2 shards; this run makes 2 shards (4 rows)"), r.err());
        assertTrue(r.err().contains("embed 4/4"), r.err());
        assertTrue(r.err().contains("2 written now (3 pairs, 1 rows skipped), 0 kept from before"), r.err());
        EmbeddingPairs p = PairFiles.read(out);
        assertEquals(List.of("91139", "58146", "60806"), p.ids());
        EmbeddingPairs t = PairFiles.read(text);
        assertArrayEquals(p.clip(), t.clip());
        assertArrayEquals(p.clap(), t.clap());

        // the shards and the text files train a translator as they are
        for (Path pairs : List.of(out, text)) {
            Path model = tmp.resolve("t-" + pairs.getFileName() + ".safetensors");
            CliRun tr = CliRun.of("--quiet", "train-translator", "--pairs", pairs.toString(), "--val-split", "0", "--hidden", "16", "--loss", "mse",
                    "--epochs", "2", "--out", model.toString());
            assertEquals(0, tr.rc(), tr.err());
            assertTrue(Files.size(model) > 0);
        }

        CliRun again = embed("--out", out.toString(), "--rows-per-shard", "2", "--quiet");
        assertEquals(0, again.rc(), again.err());
        assertEquals("", again.err()); // nothing to do, nothing said
    }

    @Test
    void shardedRunsTogetherMakeEveryShardOnceAndSkippedRowsShowUnderQuiet(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("pairs");
        CliRun a = embed("--out", out.toString(), "--rows-per-shard", "1", "--shard", "0/2", "--quiet");
        CliRun b = embed("--out", out.toString(), "--rows-per-shard", "1", "--shard", "1/2", "--quiet");
        assertEquals(0, a.rc(), a.err());
        assertEquals(0, b.rc(), b.err());
        assertEquals("embed: row 2 skipped: line 4: empty caption\n", a.err().replace("\r", ""));
        assertEquals("", b.err());
        try (var s = Files.list(out)) {
            assertEquals(List.of("pairs-00000.safetensors", "pairs-00001.safetensors", "pairs-00002.safetensors", "pairs-00003.safetensors"),
                    s.map(f -> f.getFileName().toString()).sorted().toList());
        }
        assertEquals(List.of("91139", "58146", "60806"), PairFiles.read(out).ids());
    }

    @Test
    void badInputIsOneLineAndWritesNothing(@TempDir Path tmp) throws Exception {
        Path out = tmp.resolve("pairs");
        Path noCaption = tmp.resolve("bad.csv");
        Files.writeString(noCaption, "audiocap_id,youtube_id,start_time,text\n1,a,0,hello\n");
        CliRun r = CliRun.of("embed", noCaption.toString(), "--clip", m.clip().toString(), "--clip-tokenizer", m.clipTokenizer().toString(),
                "--clap", m.clap().toString(), "--tokenizer", m.roberta().toString(), "--out", out.toString());
        assertEquals(1, r.rc());
        assertEquals("synesthesia: " + noCaption + ": no caption column 'caption' (its columns: audiocap_id, youtube_id, start_time, text)\n",
                r.err().replace("\r", ""));
        assertFalse(Files.exists(out));

        Path unknown = tmp.resolve("other.csv");
        Files.writeString(unknown, "a,b\n1,2\n");
        r = CliRun.of("embed", unknown.toString(), "--clip", m.clip().toString(), "--clap", m.clap().toString(), "--out", out.toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("other.csv: cannot tell the dataset's layout") && r.err().contains("--format"), r.err());

        Path unclosed = tmp.resolve("unclosed.csv");
        Files.writeString(unclosed, "audiocap_id,youtube_id,start_time,caption\n1,a,0,\"never closed\n2,b,0,x\n");
        r = CliRun.of("embed", unclosed.toString(), "--clip", m.clip().toString(), "--clip-tokenizer", m.clipTokenizer().toString(),
                "--clap", m.clap().toString(), "--tokenizer", m.roberta().toString(), "--out", out.toString());
        assertEquals(1, r.rc());
        assertEquals(1, r.err().lines().filter(l -> l.startsWith("synesthesia: ")).count(), r.err());
        assertTrue(r.err().contains("unclosed.csv: line 2: a quoted field is not closed"), r.err());
        assertFalse(Files.exists(out));

        r = embed("--out", out.toString(), "--shard", "2/2");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--shard must be I/N with 0 <= I < N"), r.err());

        r = embed("--out", out.toString(), "--image-column", "youtube_id");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("is a CLIP text model, not a vision model"), r.err()); // images need the vision model

        r = embed();
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("--out DIR"), r.err());
        assertFalse(Files.exists(out));
    }

    @Test
    void aClipTextModelWithoutProjectionIsOneLine(@TempDir Path tmp) throws Exception {
        Path bare = tmp.resolve("bare");
        Files.createDirectories(bare);
        Files.copy(org.synesthesia.testing.SharedData.golden("clip_text_random_quickgelu", "weights.safetensors"), bare.resolve("model.safetensors"));
        Files.copy(m.clip().resolveSibling("config.json"), bare.resolve("config.json"));
        CliRun r = CliRun.of("embed", csv.toString(), "--clip", bare.resolve("model.safetensors").toString(), "--clip-tokenizer",
                m.clipTokenizer().toString(), "--clap", m.clap().toString(), "--tokenizer", m.roberta().toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("no text_projection") && r.err().contains("model.safetensors"), r.err());
        assertFalse(Files.exists(tmp.resolve("o")));
    }

    @Test
    void helpNamesTheOptions() {
        CliRun r = CliRun.of("embed", "--help");
        assertEquals(0, r.rc());
        for (String o : List.of("--clip", "--clap", "--shard I/N", "--rows-per-shard", "--text-out", "--max-failures", "--image-column", "--caption-column"))
            assertTrue(r.out().contains(o), o);
        assertTrue(CliRun.of("--help").out().contains("embed"));
    }
}
