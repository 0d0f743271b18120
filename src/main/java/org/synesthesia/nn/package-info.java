/**
 * What model families share: the layers named after the reference modules they reproduce (Linear, LayerNorm,
 * GroupNorm, Conv1d, Conv2d, ConvTranspose1d, MultiHeadAttention, TransformerEncoderLayer, ResnetBlock2D, Attention,
 * BasicTransformerBlock, Transformer2DModel, ...), the weight lookup by canonical name ({@link org.synesthesia.nn.Weights},
 * {@link org.synesthesia.nn.NameMapping}), the tracer that records named intermediate tensors for parity checks, and
 * the registry of model families ({@link org.synesthesia.nn.ModelFamily}).
 */
package org.synesthesia.nn;
