package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.net.httpserver.HttpServer;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.clap.ClapTextModel;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.testing.Assert;
import org.synesthesia.testing.EmbedModels;
import org.synesthesia.testing.SharedData;
import org.synesthesia.translator.EmbeddingPairs;
import org.synesthesia.translator.PairFiles;

/**
 * {@code embed} on image-caption lists with clip_vision_random: a Conceptual Captions TSV (no header, caption then
 * image) naming the golden's PNG by absolute path, by relative path and by a URL on a loopback HTTP server gives
 * the golden's {@code image_embeds} for each; a missing file, a text file, an empty caption and a 404 are skipped
 * with one line each. A WIT-style TSV with {@code --where language=en} passes the other languages over.
 */
class EmbedImagesCommandTest {
    @TempDir static Path dir;
    static EmbedModels m;
    static HttpServer server;
    static String base;
    static final Path PNG = SharedData.golden("clip_vision_random", "input_300x200.png");

    @BeforeAll
    static void setUp() throws Exception {
        m = EmbedModels.under(dir);
        Files.copy(PNG, dir.resolve("input.png"));
        Files.writeString(dir.resolve("notes.txt"), "not an image\n");
        byte[] png = Files.readAllBytes(PNG);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/", x -> {
            boolean ok = x.getRequestURI().getPath().equals("/img.png");
            x.getResponseHeaders().add("Content-Type", ok ? "image/png" : "text/plain");
            byte[] body = ok ? png : "not found".getBytes();
            x.sendResponseHeaders(ok ? 200 : 404, body.length);
            x.getResponseBody().write(body);
            x.close();
        });
        server.start();
        base = "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @AfterAll
    static void stop() {
        if (server != null) server.stop(0);
    }

    static CliRun embed(Path list, String... more) {
        String[] a = {"embed", list.toString(), "--clip", m.vision().toString(), "--clap", m.clap().toString(), "--tokenizer", m.roberta().toString()};
        String[] all = Arrays.copyOf(a, a.length + more.length);
        System.arraycopy(more, 0, all, a.length, more.length);
        return CliRun.of(all);
    }

    @Test
    void conceptualCaptionsListGivesTheGoldenImageEmbeddings(@TempDir Path tmp) throws Exception {
        Path tsv = dir.resolve("cc.tsv");
        Files.writeString(tsv, "a synthetic picture\t" + PNG.toAbsolutePath() + "\n"
                + "the same by a relative path\tinput.png\n"
                + "a missing file\tnope.png\n"
                + "a text file\tnotes.txt\n"
                + "\tinput.png\n"
                + "served over http\t" + base + "/img.png\n"
                + "a dead link\t" + base + "/gone.png\n");
        Path out = tmp.resolve("pairs");
        CliRun r = embed(tsv, "--format", "cc", "--out", out.toString(), "--batch", "3", "--quiet");
        assertEquals(0, r.rc(), r.err());
        List<String> skipped = r.err().lines().filter(l -> l.contains(" skipped: ")).toList();
        assertEquals(4, skipped.size(), r.err());
        assertTrue(skipped.get(0).startsWith("embed: row 2 skipped: ") && skipped.get(0).contains("nope.png") && skipped.get(0).contains("no such file"), skipped.get(0));
        assertTrue(skipped.get(1).startsWith("embed: row 3 skipped: ") && skipped.get(1).contains("notes.txt"), skipped.get(1));
        assertEquals("embed: row 4 skipped: line 5: empty caption", skipped.get(2));
        assertTrue(skipped.get(3).startsWith("embed: row 6 skipped: ") && skipped.get(3).contains("gone.png") && skipped.get(3).contains("404"), skipped.get(3));
        assertEquals(4, r.err().lines().count(), r.err()); // --quiet: the skipped rows only

        EmbeddingPairs p = PairFiles.read(out);
        assertEquals(List.of(PNG.toAbsolutePath().toString(), "input.png", base + "/img.png"), p.ids());
        assertEquals(512, p.clipDim());
        float[] golden = Arrays.copyOf(SafeTensors.readAll(SharedData.golden("clip_vision_random", "golden.safetensors")).get("image_embeds").toArray(), 512);
        for (int i = 0; i < 3; i++) Assert.close("image_embeds row " + i, golden, Arrays.copyOfRange(p.clip(), i * 512, (i + 1) * 512), 1e-5, 0);
        List<String> captions = List.of("a synthetic picture", "the same by a relative path", "served over http");
        try (ClapTextModel clap = ClapTextModel.load(m.clap(), null)) {
            RobertaTokenizer tok = RobertaTokenizer.fromFolder(m.roberta());
            for (int i = 0; i < 3; i++)
                Assert.close("clap " + i, clap.embed(tok, List.of(captions.get(i))).toArray(), Arrays.copyOfRange(p.clap(), i * 512, (i + 1) * 512), 1e-6, 1e-5);
        }
        // a plain TSV (--no-quotes): a caption starting with a quote stays one field
        Path plain = dir.resolve("plain.tsv");
        Files.writeString(plain, "\"quoted\" picture\tinput.png\nsecond\tinput.png\n");
        Path plainOut = tmp.resolve("plain");
        assertEquals(0, embed(plain, "--format", "cc", "--no-quotes", "--out", plainOut.toString(), "--quiet").rc());
        assertEquals(2, PairFiles.read(plainOut).count());
        // seed preprocessing (the original work's plain resize) changes the CLIP side only
        Path seed = tmp.resolve("seed");
        assertEquals(0, embed(tsv, "--format", "cc", "--out", seed.toString(), "--preprocess", "seed", "--quiet", "--limit", "1").rc());
        EmbeddingPairs s = PairFiles.read(seed);
        assertArrayEquals(Arrays.copyOf(p.clap(), 512), s.clap());
        assertTrue(Assert.maxAbsDiff(golden, s.clip()) > 1e-3);
    }

    @Test
    void witColumnsAndALanguageFilter(@TempDir Path tmp) throws Exception {
        Path tsv = dir.resolve("wit.tsv");
        Files.writeString(tsv, "language\tpage_url\timage_url\tcaption_reference_description\n"
                + "en\thttps://en.wikipedia.org/wiki/A\tinput.png\tA picture in English\n"
                + "fr\thttps://fr.wikipedia.org/wiki/B\tinput.png\tUne image\n"
                + "en\thttps://en.wikipedia.org/wiki/C\tinput.png\t\n");
        Path out = tmp.resolve("pairs");
        CliRun r = embed(tsv, "--out", out.toString(), "--where", "language=en,uk");
        assertEquals(0, r.rc(), r.err());
        assertEquals(List.of("embed: row 2 skipped: line 4: empty caption"), r.err().lines().filter(l -> l.contains(" skipped: ")).toList());
        EmbeddingPairs p = PairFiles.read(out);
        assertEquals(List.of("input.png"), p.ids());
        try (SafeTensors st = SafeTensors.open(out.resolve("pairs-00000.safetensors"))) {
            assertEquals("1", st.metadata().get("passed_over"));
            assertEquals("image:image_url", st.metadata().get("clip_input"));
        }
    }

    @Test
    void aTextModelWhereTheVisionModelBelongsIsOneLine(@TempDir Path tmp) throws Exception {
        Path tsv = dir.resolve("cc1.tsv");
        Files.writeString(tsv, "a synthetic picture\tinput.png\n");
        CliRun r = CliRun.of("embed", tsv.toString(), "--format", "cc", "--clip", m.clip().toString(), "--clap", m.clap().toString(),
                "--tokenizer", m.roberta().toString(), "--out", tmp.resolve("o").toString());
        assertEquals(1, r.rc());
        assertEquals(1, r.err().lines().count(), r.err());
        assertTrue(r.err().contains("model.safetensors"), r.err());
        assertTrue(!Files.exists(tmp.resolve("o")));
    }
}
