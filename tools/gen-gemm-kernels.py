#!/usr/bin/env python3
"""Writes src/main/java/org/synesthesia/kernel/GemmMicroKernels.java: register-tiled GEMM micro-kernels.

Kernel k{mr}x{nv} computes the mr x (nv*L) tile  T = sum_k Ap[k][0..mr) (outer) Bp[k][0..nv*L)  (L = lanes of
FloatVector.SPECIES_PREFERRED) from packed panels, keeping the mr*nv accumulators in local variables (registers),
and stores T row-major into t[r*nv*L + j]. Run: python3 tools/gen-gemm-kernels.py
"""
import os

MAX_MR = 12
NVS = (1, 2, 3)

def kernel(mr, nv, direct=False):
    """Kernel k{mr}x{nv} over a packed A panel (row r at a[ai + k*mr + r]), or with direct=True kernel d{mr}x{nv}
    reading A in place (row r at a[ai + r*lda + k], no packed A panel)."""
    out = []
    if direct:
        out.append(f"    /** {mr} x {nv}L tile, A unpacked: t[r*{nv}L + j] = sum_k a[ai + r*lda + k] * b[bi + k*{nv}L + j]. */")
        out.append(f"    static void d{mr}x{nv}(int kc, float[] a, int ai, int lda, float[] b, int bi, float[] t) {{")
        for r in range(mr):
            out.append(f"        int r{r} = ai" + ("" if r == 0 else (" + lda" if r == 1 else f" + {r} * lda")) + ";")
    else:
        out.append(f"    /** {mr} x {nv}L tile: t[r*{nv}L + j] = sum_k a[ai + k*{mr} + r] * b[bi + k*{nv}L + j]. */")
        out.append(f"    static void k{mr}x{nv}(int kc, float[] a, int ai, float[] b, int bi, float[] t) {{")
    for r in range(mr):
        out.append("        FloatVector " + ", ".join(f"c{r}{v} = FloatVector.zero(S)" for v in range(nv)) + ";")
    out.append("        for (int k = 0; k < kc; k++) {")
    if direct:
        out.append(f"            int bk = bi + k * {nv} * L;" if nv > 1 else "            int bk = bi + k * L;")
    else:
        out.append(f"            int ak = ai + k * {mr}, bk = bi + k * {nv * 1} * L;" if nv > 1 else f"            int ak = ai + k * {mr}, bk = bi + k * L;")
    for v in range(nv):
        off = "" if v == 0 else (" + L" if v == 1 else f" + {v} * L")
        out.append(f"            FloatVector b{v} = FloatVector.fromArray(S, b, bk{off});")
    for r in range(mr):
        if direct:
            out.append(f"            FloatVector a{r} = FloatVector.broadcast(S, a[r{r} + k]);")
        else:
            off = "" if r == 0 else f" + {r}"
            out.append(f"            FloatVector a{r} = FloatVector.broadcast(S, a[ak{off}]);")
        out.append("            " + " ".join(f"c{r}{v} = a{r}.fma(b{v}, c{r}{v});" for v in range(nv)))
    out.append("        }")
    for r in range(mr):
        parts = []
        for v in range(nv):
            idx = r * nv + v
            parts.append(f"c{r}{v}.intoArray(t, {idx} * L);" if idx else f"c{r}{v}.intoArray(t, 0);")
        out.append("        " + " ".join(parts))
    out.append("    }")
    return "\n".join(out)

def tile(registers, folded, nv=2):
    """The register tile MR x NV for a vector register file. NV = 2 vectors of B (at 16 lanes a kc = 256 deep B
    micro-panel is 32 KB, an L1's worth). Live at once in the k loop: MR*NV accumulators, NV vectors of B and,
    where the broadcast of A does not fold into the FMA's memory operand, the MR broadcasts (C2 issues a k step's
    broadcasts together); two registers are left to the compiler. MR is the largest that fits (at most MAX_MR):
    AVX-512 12x2, AVX2 4x2, NEON 9x2. Measured: on AVX-512 12x2 runs one core at its FMA peak; with -XX:UseAVX=2
    a 6x2 tile, which does not fit, spills and runs at 2/3 the speed of 4x2."""
    mr = 0
    while mr < MAX_MR and (mr + 1) * nv + nv + (0 if folded else mr + 1) <= registers - 2:
        mr += 1
    return mr, nv

# Tiles per machine class: (lanes >= 16: AVX-512, 32 registers, broadcasts folded), (NEON/SVE: 32 registers),
# (AVX2/SSE: 16 registers, broadcasts in a register).
TILES = {"avx512": tile(32, True), "neon": tile(32, False), "avx2": tile(16, False)}

def tiles():
    out = []
    out.append("    /**")
    out.append("     * Register tiles {MR, NV} chosen by the generator from the register file (tools/gen-gemm-kernels.py, tile()):")
    out.append("     * NV = 2 vectors of B, MR*NV accumulators + NV vectors of B (+ MR broadcasts of A where they do not fold into")
    out.append("     * the FMA) within the file less two registers. AVX-512: 32 registers, folded broadcasts; NEON/SVE: 32;")
    out.append("     * AVX2/SSE: 16.")
    out.append("     */")
    for name, (mr, nv) in TILES.items():
        out.append(f"    static final int[] TILE_{name.upper()} = {{{mr}, {nv}}};")
    return "\n".join(out)

def dispatch():
    out = []
    out.append("    /** Runs kernel k{mr}x{nv} ({@code 1 <= mr <= MAX_MR}, {@code 1 <= nv <= 3}). */")
    out.append("    static void run(int mr, int nv, int kc, float[] a, int ai, float[] b, int bi, float[] t) {")
    out.append("        switch (nv * 16 + mr) {")
    for nv in NVS:
        for mr in range(1, MAX_MR + 1):
            out.append(f"            case {nv * 16 + mr} -> k{mr}x{nv}(kc, a, ai, b, bi, t);")
    out.append("            default -> throw new IllegalArgumentException(\"no micro-kernel \" + mr + \"x\" + nv);")
    out.append("        }")
    out.append("    }")
    out.append("")
    out.append("    /** Runs kernel d{mr}x{nv} (A unpacked, row stride {@code lda}; {@code 1 <= mr <= MAX_MR}, {@code 1 <= nv <= 3}). */")
    out.append("    static void runDirect(int mr, int nv, int kc, float[] a, int ai, int lda, float[] b, int bi, float[] t) {")
    out.append("        switch (nv * 16 + mr) {")
    for nv in NVS:
        for mr in range(1, MAX_MR + 1):
            out.append(f"            case {nv * 16 + mr} -> d{mr}x{nv}(kc, a, ai, lda, b, bi, t);")
    out.append("            default -> throw new IllegalArgumentException(\"no micro-kernel \" + mr + \"x\" + nv);")
    out.append("        }")
    out.append("    }")
    return "\n".join(out)

src = []
src.append("package org.synesthesia.kernel;")
src.append("")
src.append("import jdk.incubator.vector.FloatVector;")
src.append("import jdk.incubator.vector.VectorSpecies;")
src.append("")
src.append("/**")
src.append(" * GEMM micro-kernels (generated by tools/gen-gemm-kernels.py; edit the generator, not this file).")
src.append(" *")
src.append(" * <p>{@code k{mr}x{nv}} computes the tile {@code T[mr, nv*L] = sum_k Ap[k, 0..mr) outer Bp[k, 0..nv*L)} from a")
src.append(" * packed A micro-panel (element (r, k) at {@code a[ai + k*mr + r]}) and a packed B micro-panel (element (k, j) at")
src.append(" * {@code b[bi + k*nv*L + j]}), L = lanes of the preferred float species. Accumulators are locals so they live in")
src.append(" * vector registers; A is broadcast, B loaded as whole vectors, one FMA per (row, vector). The tile is stored")
src.append(" * row-major into {@code t} (row stride nv*L); the caller adds it into C. {@code d{mr}x{nv}} is the same tile with A")
src.append(" * read in place (row r at {@code a[ai + r*lda + k]}), for products whose A panels would be used too few times")
src.append(" * to repay packing them.")
src.append(" */")
src.append("final class GemmMicroKernels {")
src.append("    static final VectorSpecies<Float> S = FloatVector.SPECIES_PREFERRED;")
src.append("    static final int L = S.length();")
src.append(f"    static final int MAX_MR = {MAX_MR};")
src.append(f"    static final int MAX_NV = {max(NVS)};")
src.append("")
src.append("    private GemmMicroKernels() {}")
src.append("")
src.append(tiles())
src.append("")
src.append(dispatch())
for nv in NVS:
    for mr in range(1, MAX_MR + 1):
        src.append("")
        src.append(kernel(mr, nv))
for nv in NVS:
    for mr in range(1, MAX_MR + 1):
        src.append("")
        src.append(kernel(mr, nv, direct=True))
src.append("}")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src/main/java/org/synesthesia/kernel/GemmMicroKernels.java")
with open(path, "w") as f:
    f.write("\n".join(src) + "\n")
