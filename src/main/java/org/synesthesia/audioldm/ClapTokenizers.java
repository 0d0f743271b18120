package org.synesthesia.audioldm;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.synesthesia.clap.RobertaTokenizer;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.util.SynesthesiaException;

/**
 * Where an AudioLDM model's RoBERTa tokenizer comes from: a folder the user gives; else the one a converted file
 * carries; else a {@code tokenizer/} or {@code roberta-base/} folder (vocab.json + merges.txt) beside the checkpoint
 * or the CLAP file, or inside a pipeline folder.
 */
public final class ClapTokenizers {
    private ClapTokenizers() {}

    /** The tokenizer for {@code model} (CLAP from {@code clap} when not null), by the rules above; none: one line. */
    public static RobertaTokenizer find(Path given, Path model, Path clap) {
        if (given != null) return RobertaTokenizer.fromFolder(checkFolder(given));
        if (Files.isRegularFile(model)) {
            Optional<RobertaTokenizer> stored = stored(model);
            if (stored.isPresent()) return stored.get();
        }
        return RobertaTokenizer.fromFolder(beside(model, clap).orElseThrow(() -> SynesthesiaException.inFile(model,
                "no RoBERTa tokenizer in it or beside it (a tokenizer/ or roberta-base/ folder with vocab.json and merges.txt); give --tokenizer DIR")));
    }

    /** {@code dir} if it holds vocab.json, else a one-line error. */
    public static Path checkFolder(Path dir) {
        if (!Files.isRegularFile(dir.resolve("vocab.json")) || !Files.isRegularFile(dir.resolve("merges.txt")))
            throw SynesthesiaException.inFile(dir, "not a RoBERTa tokenizer folder (no vocab.json and merges.txt)");
        return dir;
    }

    /** A {@code tokenizer/} or {@code roberta-base/} folder beside (or, for a folder, inside) {@code model} or {@code clap}. */
    public static Optional<Path> beside(Path model, Path clap) {
        for (Path file : new Path[] {model, clap}) {
            if (file == null) continue;
            Path dir = Files.isDirectory(file) ? file : file.toAbsolutePath().getParent();
            for (String name : new String[] {"tokenizer", "roberta-base"})
                if (dir != null && Files.isRegularFile(dir.resolve(name).resolve("vocab.json"))) return Optional.of(dir.resolve(name));
        }
        return Optional.empty();
    }

    /** The tokenizer stored in converted file {@code model}, if it is one and has it. */
    private static Optional<RobertaTokenizer> stored(Path model) {
        if (!model.getFileName().toString().endsWith(".gguf")) return Optional.empty();
        try (WeightSource src = WeightSources.open(model)) {
            return AudioLdmGguf.tokenizer(src);
        }
    }
}
