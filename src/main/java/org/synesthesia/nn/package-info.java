/**
 * What model families share: the weight lookup by canonical name ({@link org.synesthesia.nn.Weights},
 * {@link org.synesthesia.nn.NameMapping}), the neural-network layers built on the kernels, and the tracer that records
 * named intermediate tensors for parity checks against the reference implementations.
 */
package org.synesthesia.nn;
