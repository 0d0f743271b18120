package org.synesthesia.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

class InspectCommandTest {
    @TempDir Path tmp;

    private record Run(int rc, String out, String err) {}

    private static Run run(String... args) {
        PrintStream oldOut = System.out, oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int rc = Main.run(args);
            return new Run(rc, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void textReportOfGguf() {
        Path p = SharedData.data("weights/taesd-decoder/taesd-decoder.gguf");
        Run r = run("inspect", p.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("format:   gguf"), r.out());
        assertTrue(r.out().contains("  sd.vae.name = taesd_decoder.safetensors"), r.out());
        assertTrue(r.out().matches("(?s).*first_stage_model\\.decoder\\.15\\.conv\\.4\\.weight +F16 +\\[64, 64, 3, 3\\].*"), r.out());
        assertTrue(r.out().contains("total: 67 tensors, 1,222,531 parameters, "), r.out());
        assertTrue(Main.commands().containsKey("inspect"));
    }

    @Test
    void jsonAndFilter() {
        Path p = SharedData.data("weights/hifigan-v2-ljspeech/generator_v2");
        Run r = run("inspect", p.toString(), "--json");
        assertEquals(0, r.rc(), r.err());
        Map<String, Object> o = Json.parseObject(r.out().trim());
        assertEquals("pytorch-legacy", o.get("format"));
        assertEquals(234L, o.get("tensor_count"));
        assertEquals(928_514L, o.get("parameters"));
        assertEquals(928_514L * 4, o.get("bytes"));
        r = run("inspect", p.toString(), "--filter", "conv_pre.*", "--json");
        o = Json.parseObject(r.out().trim());
        assertEquals(3L, o.get("tensor_count"));
        @SuppressWarnings("unchecked")
        Map<String, Object> first = (Map<String, Object>) ((List<Object>) o.get("tensors")).get(0);
        assertEquals(Map.of("name", "conv_pre.bias", "dtype", "F32", "shape", List.of(128L), "bytes", 512L), first);
        r = run("inspect", p.toString(), "--filter", "ups.?.bias");
        assertTrue(r.out().contains("total: 4 tensors, 120 parameters, 480 bytes (480 B) matching the filter, of 234 tensors"), r.out());
    }

    @Test
    void longMetadataIsShortenedUnlessFull() {
        Path p = SharedData.golden("whisper_tiny_random", "model.pt");
        Run r = run("inspect", p.toString());
        assertEquals(0, r.rc(), r.err());
        assertTrue(r.out().contains("  dims = {\"n_mels\":80,") && r.out().contains("... (170 characters)"), r.out());
        r = run("inspect", p.toString(), "--full");
        assertTrue(r.out().contains("\"n_text_layer\":2}"), r.out());
    }

    @Test
    void errorsAreOneLine() throws Exception {
        Path bad = tmp.resolve("bad.ckpt");
        Files.writeString(bad, "nope");
        Run r = run("inspect", bad.toString());
        assertEquals(1, r.rc());
        assertEquals("synesthesia: " + bad + ": not a recognised checkpoint (looked for safetensors, PyTorch zip or pickle, GGUF, ggml)\n",
                r.err().replace(System.lineSeparator(), "\n"));
        r = run("inspect", bad.toString(), "--bogus", "1");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("unknown option --bogus"), r.err());
        r = run("inspect");
        assertEquals(1, r.rc());
        assertTrue(r.err().contains("missing FILE"), r.err());
    }
}
