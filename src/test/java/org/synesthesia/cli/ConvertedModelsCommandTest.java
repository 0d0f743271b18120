package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.diffusion.SdGguf;
import org.synesthesia.io.GgufValue;
import org.synesthesia.io.GgufWriter;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.testing.SdTinyFolder;
import org.synesthesia.testing.SharedData;
import org.synesthesia.whisper.WhisperGguf;

/**
 * {@code transcribe}, {@code generate} and {@code speak} on converted .gguf files (written here the simple way: the
 * sources' tensors as they are plus the metadata bundles) need no tokenizer options and give what the sources give.
 */
class ConvertedModelsCommandTest {
    @TempDir Path tmp;

    private Path whisperGguf(Path whisper, Path tokenizers) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("converted")).resolve("whisper.gguf");
        try (WeightSource src = WeightSources.open(whisper)) {
            GgufWriter w = new GgufWriter();
            w.put("general.architecture", "whisper").put("synesthesia.format_version", GgufValue.u32(1));
            WhisperGguf.write(w, WhisperGguf.fromInput(whisper, src, tokenizers));
            for (String n : src.names()) w.tensor(src.get(n));
            w.write(out);
        }
        return out;
    }

    private Path sdGguf(Path folder) throws IOException {
        Path out = Files.createDirectories(tmp.resolve("converted")).resolve("sd.gguf");
        try (WeightSource src = WeightSources.open(folder)) {
            GgufWriter w = new GgufWriter();
            w.put("general.architecture", "stable-diffusion").put("synesthesia.format_version", GgufValue.u32(1));
            SdGguf.write(w, SdGguf.fromInput(folder, src, null, null));
            for (String n : src.names()) w.tensor(src.get(n));
            w.write(out);
        }
        return out;
    }

    private static List<String> lines(String out) {
        return out.lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    private static int maxPixelDiff(Path a, Path b) throws IOException {
        BufferedImage x = ImageIO.read(a.toFile()), y = ImageIO.read(b.toFile());
        assertEquals(x.getWidth(), y.getWidth());
        assertEquals(x.getHeight(), y.getHeight());
        int m = 0;
        for (int j = 0; j < x.getHeight(); j++)
            for (int i = 0; i < x.getWidth(); i++)
                for (int s = 0; s < 24; s += 8) m = Math.max(m, Math.abs((x.getRGB(i, j) >> s & 0xff) - (y.getRGB(i, j) >> s & 0xff)));
        return m;
    }

    @Test
    void transcribeGenerateAndSpeakRunOnConvertedFiles() throws IOException {
        Path wav = SharedData.data("speech/jfk/jfk.wav");
        Path whisper = SharedData.golden("whisper_tiny_random", "weights.safetensors");
        Path tokenizers = SharedData.data("tokenizers");
        Path folder = SdTinyFolder.sd1(tmp);
        Path wg = whisperGguf(whisper, tokenizers), sg = sdGguf(folder);

        List<String> common = List.of("--beam-size", "0", "--no-fallback", "--language", "en", "--from", "1", "--to", "4");
        CliRun ref = CliRun.of(concat(List.of("--quiet", "transcribe", wav.toString(), "--model", whisper.toString(), "--tokenizer", tokenizers.toString()), common));
        assertEquals(0, ref.rc(), ref.err());
        CliRun conv = CliRun.of(concat(List.of("--quiet", "transcribe", wav.toString(), "--model", wg.toString()), common));
        assertEquals(0, conv.rc(), conv.err());
        assertFalse(lines(ref.out()).isEmpty());
        assertEquals(lines(ref.out()), lines(conv.out()));

        List<String> gen = List.of("--steps", "2", "--seed", "7", "--width", "24", "--height", "16");
        Path a = tmp.resolve("a/image.png"), b = tmp.resolve("b/image.png");
        CliRun g1 = CliRun.of(concat(List.of("--quiet", "generate", "a red cube", "--model", folder.toString(), "--out", a.toString()), gen));
        assertEquals(0, g1.rc(), g1.err());
        CliRun g2 = CliRun.of(concat(List.of("--quiet", "generate", "a red cube", "--model", sg.toString(), "--out", b.toString()), gen));
        assertEquals(0, g2.rc(), g2.err());
        assertTrue(maxPixelDiff(a, b) <= 1, "generate: pixels differ by " + maxPixelDiff(a, b));

        Path c = tmp.resolve("c/image.png"), d = tmp.resolve("d/image.png");
        CliRun s1 = CliRun.of(concat(List.of("--quiet", "speak", "--audio", wav.toString(), "--whisper", whisper.toString(), "--tokenizer", tokenizers.toString(),
                "--sd", folder.toString(), "--out", c.toString()), List.of(concat(common, gen))));
        assertEquals(0, s1.rc(), s1.err());
        CliRun s2 = CliRun.of(concat(List.of("--quiet", "speak", "--audio", wav.toString(), "--whisper", wg.toString(),
                "--sd", sg.toString(), "--out", d.toString()), List.of(concat(common, gen))));
        assertEquals(0, s2.rc(), s2.err());
        assertEquals(Files.readAllLines(c.resolveSibling("image.txt")).get(0), Files.readAllLines(d.resolveSibling("image.txt")).get(0));
        assertTrue(maxPixelDiff(c, d) <= 1, "speak: pixels differ by " + maxPixelDiff(c, d));
    }

    private static String[] concat(List<String> x, List<String> y) {
        List<String> all = new java.util.ArrayList<>(x);
        all.addAll(y);
        return all.toArray(String[]::new);
    }
}
