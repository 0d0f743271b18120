/**
 * Reading and writing weight files as memory-mapped views: GGUF (read and write), safetensors, PyTorch
 * checkpoints (zip and legacy pickles), NumPy {@code .npy} and whisper.cpp's ggml files, all behind
 * {@link org.synesthesia.io.WeightSource}; plus atomic file replacement.
 */
package org.synesthesia.io;
