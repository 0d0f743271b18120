package org.synesthesia.nn;

import java.util.List;
import java.util.Map;
import org.synesthesia.tensor.Tensor;

/**
 * A model that {@code synesthesia trace} can run on named input tensors: the names of the reference
 * implementation's forward arguments (e.g. {@code mel}, {@code tokens}; {@code sample}, {@code timestep},
 * {@code encoder_hidden_states}).
 */
public interface Traceable extends AutoCloseable {
    /** What this is, e.g. {@code whisper (openai names), 4 layers}. */
    String description();

    /** Forward argument names, required ones first. */
    List<String> inputNames();

    /** Runs the model; returns its output (captured as {@code output}); modules report to {@code tracer}. */
    Tensor forward(Map<String, Tensor> inputs, Tracer tracer);

    @Override
    default void close() {}

    /** The forward of {@link #of}. */
    @FunctionalInterface
    interface Forward {
        Tensor apply(Map<String, Tensor> inputs, Tracer tracer);
    }

    /** A traceable model from its parts: {@code forward} runs it, {@code close} releases what it holds. */
    static Traceable of(String description, List<String> inputNames, Forward forward, Runnable close) {
        List<String> names = List.copyOf(inputNames);
        return new Traceable() {
            @Override public String description() { return description; }
            @Override public List<String> inputNames() { return names; }
            @Override public Tensor forward(Map<String, Tensor> inputs, Tracer tracer) { return forward.apply(inputs, tracer); }
            @Override public void close() { close.run(); }
        };
    }
}
