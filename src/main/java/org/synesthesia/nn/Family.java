package org.synesthesia.nn;

import java.util.function.Function;
import java.util.function.Predicate;
import org.synesthesia.io.WeightSource;

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
}
