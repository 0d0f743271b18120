/**
 * Tensors and their element types: {@link org.synesthesia.tensor.Tensor} (float32 activations on the heap),
 * {@link org.synesthesia.tensor.StoredTensor} (a view over stored bytes in any {@link org.synesthesia.tensor.DType}),
 * dequantisation, quantisation and palettisation (k-means), SNR, torch's random generator and Cephes-exact float
 * functions.
 */
package org.synesthesia.tensor;
