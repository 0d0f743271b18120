/**
 * The {@code synesthesia bench} command and its modes: timed runs of kernels (GEMM, convolution, attention) and
 * models (Whisper, UNet, Stable Diffusion) printing throughput.
 */
package org.synesthesia.cli.bench;
