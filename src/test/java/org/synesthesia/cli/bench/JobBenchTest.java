package org.synesthesia.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.tensor.DType;
import org.synesthesia.whisper.Whisper;
import org.synesthesia.whisper.WhisperConfig;

class JobBenchTest {
    @TempDir Path tmp;

    /** A run's wall time splits into the launcher, JVM start-up, the stages, the rest of the command and the exit. */
    @Test
    void splitsARunFromItsTimingLines() {
        long spawn = 1_000_000;
        String err = "progress line\n"
                + "synesthesia-timing\tstage\tread audio\t0.1000\n"
                + "synesthesia-timing\tstage\tmel\t0.2000\n"
                + "synesthesia-timing\tpart\tencoder\t0.5000\t1\n"
                + "synesthesia-timing\texit\t-1\t" + (spawn + 300) + "\t" + (spawn + 500) + "\t" + (spawn + 1500) + "\t104857600\t52428800\t" + (spawn + 200) + "\n";
        JobBench.Run r = JobBench.Run.parse(err, spawn, 1.7, false);
        assertEquals(List.of("launcher", "jvm start", "read audio", "mel", "other", "exit"), List.copyOf(r.parts().keySet()));
        assertEquals(0.2, r.parts().get("launcher"), 1e-9);
        assertEquals(0.3, r.parts().get("jvm start"), 1e-9);
        assertEquals(0.7, r.parts().get("other"), 1e-9);
        assertEquals(0.2, r.parts().get("exit"), 1e-9);
        assertEquals(100L << 20, r.resident());
        assertTrue(r.format(1).contains("within the stages (seconds, calls): encoder 0.50 s (1)"), r.format(1));
        // direct: no launcher part, the JVM starts at the spawn
        JobBench.Run d = JobBench.Run.parse(err.replace("\t" + (spawn + 200) + "\n", "\t-1\n"), spawn, 1.7, true);
        assertEquals(0.5, d.parts().get("jvm start"), 1e-9);
        assertTrue(!d.parts().containsKey("launcher"));
    }

    /** The random ggml file reads back as whisper.cpp's layout and builds a model. */
    @Test
    void writesAWhisperCppGgmlFile() throws Exception {
        WhisperConfig c = new WhisperConfig(80, 1500, 64, 2, 1, 51865, 448, 64, 2, 1);
        Path tk = tmp.resolve("multilingual.tiktoken");
        Files.writeString(tk, "IQ== 0\nIg== 1\n= 2\n");
        Path f = tmp.resolve("ggml-x.bin");
        RandomGgml.write(c, tk, f);
        try (WhisperGgml g = WhisperGgml.open(f)) {
            assertEquals(64, g.hparams().nAudioState());
            assertEquals(1, g.hparams().ftype());
            assertEquals(3, g.vocabulary().size());
            assertEquals("!", new String(g.vocabulary().get(0), java.nio.charset.StandardCharsets.UTF_8));
            assertEquals(DType.F16, g.get("encoder.blocks.0.mlp.0.weight").dtype());
            assertEquals(DType.F32, g.get("encoder.positional_embedding").dtype());
            assertEquals(2, g.get("encoder.conv1.bias").rank());
        }
        try (Whisper w = Whisper.load(f)) {
            assertEquals(c, w.config());
        }
        try (var s = Files.list(tmp)) {
            assertEquals(2, s.count(), "no temporary file left");
        }
    }
}
