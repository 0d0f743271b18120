package org.synesthesia.whisper;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.synesthesia.io.WhisperGgml;
import org.synesthesia.util.SynesthesiaException;

/** Where a Whisper model's tokenizer comes from: --tokenizer, the model file's own metadata, beside it, or the environment. */
public final class WhisperTokenizers {
    /** A folder of tiktoken files ({@code multilingual.tiktoken}, {@code gpt2.tiktoken}) to fall back on. */
    static final String TOKENIZERS_ENV = "SYNESTHESIA_TOKENIZERS";

    private WhisperTokenizers() {}

    /**
     * The model's tokenizer: from the {@code given} folder when there is one, else the one stored in a converted
     * model file, else the tiktoken file found by {@link #dir} (beside the model, then {@code $SYNESTHESIA_TOKENIZERS}),
     * else the vocabulary a whisper.cpp ggml file lists.
     */
    public static WhisperTokenizer forModel(Whisper whisper, Path given, Path model, String command) {
        if (given == null) {
            Optional<WhisperTokenizer> own = WhisperGguf.tokenizer(whisper.source());
            if (own.isPresent()) {
                if (own.get().nVocab() != whisper.config().nVocab())
                    throw new SynesthesiaException(whisper.source().description() + ": the stored tokenizer has " + own.get().nVocab()
                            + " tokens, but the model has n_vocab " + whisper.config().nVocab());
                return own.get();
            }
        }
        if (given == null && whisper.source() instanceof WhisperGgml g && !g.vocabulary().isEmpty()) {
            Path found = find(model, whisper.config().isMultilingual(), new ArrayList<>());
            if (found == null) return WhisperTokenizer.fromVocabulary(g.description(), g.vocabulary(), whisper.config().nVocab());
        }
        return WhisperTokenizer.forModel(dir(given, model, whisper.config().isMultilingual(), command), whisper.config().nVocab());
    }

    /**
     * The folder with the model's tiktoken file: {@code given} (--tokenizer), else beside the model, else
     * {@code $SYNESTHESIA_TOKENIZERS}; none is a one-line error naming where it looked and asking for --tokenizer.
     */
    static Path dir(Path given, Path model, boolean multilingual, String command) {
        String name = multilingual ? "multilingual.tiktoken" : "gpt2.tiktoken";
        if (given != null) {
            if (!Files.isRegularFile(given.resolve(name))) throw SynesthesiaException.inFile(given, "no " + name + " in the --tokenizer folder");
            return given;
        }
        List<String> looked = new ArrayList<>();
        Path found = find(model, multilingual, looked);
        if (found != null) return found;
        throw new SynesthesiaException(command + ": no " + name + " tokenizer file found (looked in " + String.join(", ", looked) + "); give --tokenizer DIR");
    }

    /** The folder beside {@code model} or {@code $SYNESTHESIA_TOKENIZERS} holding the tiktoken file, or null; {@code looked} gets where it looked. */
    private static Path find(Path model, boolean multilingual, List<String> looked) {
        String name = multilingual ? "multilingual.tiktoken" : "gpt2.tiktoken";
        Path beside = Files.isDirectory(model) ? model : model.toAbsolutePath().getParent();
        if (beside != null) {
            if (Files.isRegularFile(beside.resolve(name))) return beside;
            looked.add(beside.toString());
        }
        String env = System.getenv(TOKENIZERS_ENV);
        if (env != null && !env.isBlank()) {
            Path p = Path.of(env);
            if (Files.isRegularFile(p.resolve(name))) return p;
            looked.add(p + " ($" + TOKENIZERS_ENV + ")");
        } else {
            looked.add("$" + TOKENIZERS_ENV + " (not set)");
        }
        return null;
    }
}
