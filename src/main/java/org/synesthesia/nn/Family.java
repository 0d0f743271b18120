package org.synesthesia.nn;

import java.nio.file.Path;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;
import java.util.function.Predicate;
import org.synesthesia.io.WeightSource;
import org.synesthesia.io.WeightSources;
import org.synesthesia.util.SynesthesiaException;

/** A {@link ModelFamily} whose id, summary, recognition and naming are given at construction. */
public abstract class Family implements ModelFamily {
    private final String id, summary;
    private final Predicate<WeightSource> recognises;
    private final Function<WeightSource, NameMapping> names;

    protected Family(String id, String summary, Predicate<WeightSource> recognises, Function<WeightSource, NameMapping> names) {
        this.id = id;
        this.summary = summary;
        this.recognises = recognises;
        this.names = names;
    }

    @Override public final String id() { return id; }

    @Override public final String summary() { return summary; }

    @Override public final boolean recognises(WeightSource source) { return recognises.test(source); }

    @Override public final NameMapping names(WeightSource source) { return names.apply(source); }

    /**
     * The tensor names of checkpoint {@code model}, or empty when it cannot be read as one and no {@code --part} was
     * asked for (another family may read it); with a part asked for, the reader's one-line error.
     */
    protected static Optional<Collection<String>> tensorNames(Path model, String part) {
        try (WeightSource src = WeightSources.open(model)) {
            return Optional.of(List.copyOf(src.names()));
        } catch (SynesthesiaException e) {
            if (part != null) throw e;
            return Optional.empty();
        }
    }
}
