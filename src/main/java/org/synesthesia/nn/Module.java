package org.synesthesia.nn;

import org.synesthesia.tensor.Tensor;

/** A layer with one input and one output, reporting its output (and its sub-modules') to {@code tracer}. */
public interface Module {
    Tensor forward(Tensor x, Tracer tracer);
}
