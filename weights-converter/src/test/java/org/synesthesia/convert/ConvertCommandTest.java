package org.synesthesia.convert;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.cli.CliRun;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;

/** {@code synesthesia convert} from the command line: the report, and one clear line with no output for bad input. */
class ConvertCommandTest {
    @TempDir Path tmp;

    private static Path whisper() {
        return SharedData.golden("whisper_tiny_random", "weights.safetensors");
    }

    private CliRun convert(String... extra) {
        String[] args = new String[extra.length + 1];
        args[0] = "convert";
        System.arraycopy(extra, 0, args, 1, extra.length);
        return CliRun.of(args);
    }

    @Test
    void reportsEveryTensorAndTheTotals() throws IOException {
        Path out = tmp.resolve("w.gguf"), report = tmp.resolve("w.tsv");
        CliRun r = convert(whisper().toString(), "--out", out.toString(), "--type", "pal4", "--group-size", "16",
                "--tokenizer", SharedData.data("tokenizers").toString(), "--report", report.toString());
        assertEquals(0, r.rc(), r.err());
        int tensors;
        try (WeightSource src = WeightSources.open(whisper())) {
            tensors = src.names().size();
        }
        List<String> lines = Files.readAllLines(report);
        assertEquals("name\tshape\tfrom\tto\tbytes_before\tbytes_after\tsnr_db", lines.get(0));
        assertEquals(tensors + 1, lines.size());
        assertTrue(r.out().contains("encoder.blocks.0.mlp.0.weight"), r.out());
        assertTrue(r.out().contains("PAL4/g16"), r.out());
        assertTrue(r.out().contains("whisper: "), r.out());
        assertTrue(r.out().contains("SNR over"), r.out());
        assertTrue(r.err().contains("convert pal4"), "progress on stderr: " + r.err());
        long before = 0, after = 0;
        for (String l : lines.subList(1, lines.size())) {
            String[] c = l.split("\t");
            if (!c[3].startsWith("PAL4")) continue;
            before += Long.parseLong(c[4]);
            after += Long.parseLong(c[5]);
            assertTrue(Double.parseDouble(c[6].replace(" dB", "")) > 10, l);
        }
        assertTrue(after > 0 && after * 3 < before, "4-bit indices of F16 weights: " + before + " -> " + after);
    }

    @Test
    void growthIsCalledLargerNotSmaller() throws IOException {
        assertEquals("3.98x smaller", ConvertCommand.change(398, 100));
        assertEquals("3% smaller", ConvertCommand.change(100, 97));
        assertEquals("same size", ConvertCommand.change(1000, 1001));
        assertEquals("12% larger", ConvertCommand.change(100, 112));
        // f16 whisper to f32: tensors and file grow
        Path out = tmp.resolve("f32.gguf");
        CliRun r = convert(whisper().toString(), "--out", out.toString(), "--type", "f32",
                "--tokenizer", SharedData.data("tokenizers").toString());
        assertEquals(0, r.rc(), r.err());
        String last = r.out().lines().filter(l -> l.startsWith("whisper: ")).findFirst().orElseThrow();
        assertFalse(last.contains("smaller"), last);
        assertTrue(last.matches(".*tensors .* \\(\\d+% larger\\); files .* \\(\\d+% larger\\)"), last);
    }

    /** Random full-size inputs for benchmarks, and the bench modes that time a converted file. */
    @Test
    void randomInputsAndBenchingConvertedFiles() throws IOException {
        Path w = tmp.resolve("whisper-tiny-q8.gguf");
        CliRun r = convert("random:whisper-tiny", "--out", w.toString(), "--type", "q8", "--tokenizer", SharedData.data("tokenizers").toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("whisper: random:whisper-tiny"), r.out());
        CliRun d = CliRun.of("bench", "decoder", "--model", w.toString(), "--runs", "1", "--tokens", "2");
        assertEquals(0, d.rc(), d.err());
        assertTrue(d.out().contains("whisper-tiny-q8.gguf (Q8_0+Q8_ROW)") && d.out().contains("ms/token"), d.out());

        Path we = tmp.resolve("whisper-tiny-q8-emb.gguf");
        assertEquals(0, convert("random:whisper-tiny", "--out", we.toString(), "--type", "q8", "--quantize-embeddings",
                "--tokenizer", SharedData.data("tokenizers").toString()).rc());
        assertTrue(Files.size(we) < Files.size(w) * 0.7, "the token embedding is most of tiny: " + Files.size(we) + " vs " + Files.size(w));
        try (org.synesthesia.whisper.Whisper m = org.synesthesia.whisper.Whisper.load(we)) {
            assertEquals(org.synesthesia.tensor.DType.Q8_0, m.source().get("decoder.token_embedding.weight").dtype());
            assertEquals(51865, m.decoder().lastLogits(new int[] {50258}, m.newState(m.encode(Tensor.of(new float[80 * 3000], 1, 80, 3000)))).length);
        }

        Path sd = tmp.resolve("sd-tiny-pal4.gguf");
        assertEquals(0, convert(org.synesthesia.testing.SdTinyFolder.sd1(tmp).toString(), "--out", sd.toString(), "--type", "pal4").rc());
        CliRun u = CliRun.of("bench", "unet", "--model", sd.toString(), "--size", "8", "--batch", "1", "--runs", "0");
        assertEquals(0, u.rc(), u.err());
        assertTrue(u.out().contains("peak resident"), u.out());

        Path bad = tmp.resolve("bad.gguf");
        fails("unknown random model 'random:sd3'", bad, "random:sd3", "--out", bad.toString());
    }

    private void fails(String expected, Path out, String... args) {
        String[] quiet = java.util.Arrays.copyOf(args, args.length + 1);
        quiet[args.length] = "--quiet"; // progress lines aside, the error is one line
        CliRun r = convert(quiet);
        assertNotEquals(0, r.rc(), r.out());
        String err = r.err().strip();
        assertEquals(1, err.lines().count(), "one line: " + err);
        assertTrue(err.contains(expected), "'" + expected + "' in: " + err);
        assertFalse(Files.exists(out), "no output file");
        try (var s = Files.list(out.getParent())) {
            assertTrue(s.noneMatch(p -> p.getFileName().toString().startsWith("." + out.getFileName())), "no temporary file left");
        } catch (IOException e) {
            throw new AssertionError(e);
        }
    }

    /** Whisper's tensors with one changed by {@code edit} (null: removed), written as safetensors with its dims. */
    private Path edited(String name, java.util.function.UnaryOperator<Tensor> edit) throws IOException {
        Map<String, Tensor> all = new LinkedHashMap<>(SafeTensors.readAll(whisper()));
        Tensor t = all.remove(name);
        if (edit != null) all.put(name, edit.apply(t));
        Map<String, String> meta;
        try (WeightSource src = WeightSources.open(whisper())) {
            meta = src.metadata();
        }
        Path p = tmp.resolve("edited-" + name + ".safetensors");
        SafeTensors.write(p, all, meta);
        return p;
    }

    @Test
    void badInputsAreOneLineWithNoOutput() throws IOException {
        Path out = tmp.resolve("bad.gguf");
        String tok = SharedData.data("tokenizers").toString();
        fails("no such file or folder", out, tmp.resolve("missing.pt").toString(), "--out", out.toString());
        fails("not a recognised checkpoint", out, SharedData.data("speech/jfk/jfk.wav").toString(), "--out", out.toString());
        Path truncated = tmp.resolve("truncated.safetensors");
        byte[] all = Files.readAllBytes(whisper());
        Files.write(truncated, java.util.Arrays.copyOf(all, all.length / 2));
        fails("truncated.safetensors", out, truncated.toString(), "--out", out.toString(), "--tokenizer", tok);
        fails("unknown --type 'q3'", out, whisper().toString(), "--out", out.toString(), "--type", "q3");
        fails("--group-size applies to palettes", out, whisper().toString(), "--out", out.toString(), "--group-size", "8");
        fails("decoder.blocks.1.mlp.2.weight", out, edited("decoder.blocks.1.mlp.2.weight", null).toString(), "--out", out.toString(), "--tokenizer", tok);
        fails("encoder.blocks.0.attn.query.weight", out, edited("encoder.blocks.0.attn.query.weight",
                t -> Tensor.of(java.util.Arrays.copyOf(t.toArray(), 64 * 63), 64, 63)).toString(), "--out", out.toString(), "--tokenizer", tok);
        fails("decoder.blocks.0.mlp.0.weight holds a non-finite value", out, edited("decoder.blocks.0.mlp.0.weight", t -> {
            float[] v = t.toArray();
            v[7] = Float.NaN;
            return Tensor.of(v, t.shape());
        }).toString(), "--out", out.toString(), "--tokenizer", tok, "--type", "q8");
        Path other = tmp.resolve("other.safetensors");
        SafeTensors.write(other, Map.of("fc.weight", Tensor.of(new float[6], 2, 3)), Map.of());
        fails("not a Whisper, Stable Diffusion or CLIP image encoder checkpoint", out, other.toString(), "--out", out.toString());
        Path empty = tmp.resolve("tokenizers");
        Files.createDirectories(empty);
        fails("tokenizer", out, whisper().toString(), "--out", out.toString(), "--tokenizer", empty.toString());
    }

    /** An --out that is a folder or lies in a read-only folder: one line before any work (no progress), exit 1. */
    @Test
    void anUnwritableOutIsRefusedBeforeConverting() throws Exception {
        Path folder = Files.createDirectories(tmp.resolve("out.gguf"));
        CliRun r = convert(whisper().toString(), "--out", folder.toString(), "--tokenizer", SharedData.data("tokenizers").toString());
        assertEquals(1, r.rc(), r.err());
        assertEquals("synesthesia: " + folder + ": is a folder; give a file name to write", r.err().strip());
        Path file = Files.writeString(tmp.resolve("file"), "x");
        r = convert(whisper().toString(), "--out", file.resolve("w.gguf").toString(), "--tokenizer", SharedData.data("tokenizers").toString());
        assertEquals("synesthesia: " + file.resolve("w.gguf") + ": cannot write: " + file + " is not a folder", r.err().strip());
        try (org.synesthesia.testing.SmallDisk ro = org.synesthesia.testing.SmallDisk.mount(tmp.resolve("ro"), 16, true)) {
            Path out = ro.dir().resolve("w.gguf");
            r = convert(whisper().toString(), "--out", out.toString(), "--tokenizer", SharedData.data("tokenizers").toString());
            assertEquals(1, r.rc(), r.err());
            assertEquals("synesthesia: " + out + ": cannot write: Read-only file system", r.err().strip().replaceAll(" \\(.*\\)$", ""));
        }
    }

    /** A disk that fills up during the write: one line naming the output and the reason, exit 1, nothing left. */
    @Test
    void aFullDiskIsOneLineAndLeavesNoFile() throws Exception {
        try (org.synesthesia.testing.SmallDisk disk = org.synesthesia.testing.SmallDisk.mount(tmp.resolve("disk"), 16, false)) {
            Path out = disk.dir().resolve("w.gguf");
            CliRun r = convert("--quiet", whisper().toString(), "--out", out.toString(), "--tokenizer", SharedData.data("tokenizers").toString());
            assertEquals(1, r.rc(), r.err());
            assertEquals("synesthesia: " + out + ": cannot write: No space left on device", r.err().strip());
            assertEquals("", r.out());
            try (java.util.stream.Stream<Path> s = Files.list(disk.dir())) {
                assertEquals(List.of(), s.toList());
            }
        }
    }
}
