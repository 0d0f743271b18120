package org.synesthesia.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.synesthesia.testing.Assert;

/**
 * {@link Act} against {@link ActScalar} (the double-precision definitions) on odd lengths, offsets and the
 * tails of the functions. Tolerances: a few float ulps relative, plus an absolute 1e-12 that only matters where
 * the double reference itself cancels (1 + erf(x) near -1: |GELU| < 1e-15).
 */
class ActTest {
    private static final int[] LENGTHS = {1, 3, 7, 17, 33, 100, 1000, 70001};

    interface InPlace {
        void run(float[] x, int off, int n);
    }

    /** Inputs in [lo, hi) plus the special points, at offset 3 of a larger array whose ends must stay untouched. */
    private static void check(String name, InPlace fast, InPlace ref, float lo, float hi, double rtol) {
        Random r = new Random(name.hashCode());
        for (int n : LENGTHS) {
            float[] x = new float[n + 5];
            for (int i = 0; i < x.length; i++) x[i] = lo + (hi - lo) * r.nextFloat();
            float[] specials = {0f, -0f, 1e-30f, -1e-30f, 1f, -1f, 0.5f, -0.70710677f, 0.70710677f, 1.4142135f, -1.4142135f, lo, hi};
            for (int i = 0; i < Math.min(n, specials.length); i++) x[3 + i] = specials[i];
            float[] a = x.clone(), b = x.clone();
            fast.run(a, 3, n);
            ref.run(b, 3, n);
            Assert.close(name + " n=" + n, b, a, 1e-12, rtol);
            assertEquals(x[0], a[0]);
            assertEquals(x[n + 4], a[n + 4]);
        }
    }

    @Test
    void geluFamilyAndSiluMatchDoubleDefinitions() {
        check("gelu", Act::gelu, ActScalar::gelu, -12, 12, 5e-7);
        check("geluTanh", Act::geluTanh, ActScalar::geluTanh, -12, 12, 3e-6);   // float rounding of the exp argument: ~1e-7 * |arg|
        check("quickGelu", Act::quickGelu, ActScalar::quickGelu, -20, 20, 3e-6);
        check("silu", Act::silu, ActScalar::silu, -30, 30, 2e-6);
        check("silu wide", Act::silu, ActScalar::silu, -200, 200, 1e-5);
    }

    @Test
    void erfIsAccurateToAFewUlp() {
        check("erf", Act::erf, ActScalar::erf, -7, 7, 2.5e-7);
        check("erf near 0", Act::erf, ActScalar::erf, -1.2f, 1.2f, 2.5e-7);
        float[] big = {10f, -10f, 1e20f, -1e20f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        Act.erf(big, 0, big.length);
        for (int i = 0; i < big.length; i++) assertEquals(i % 2 == 0 ? 1f : -1f, big[i]);
    }

    @Test
    void geluTailKeepsRelativeAccuracy() {
        // Phi(x) from erfc: GELU(-8) = -8 * 6.22e-16 (the double form 0.5x(1+erf) has no correct digit left there)
        float[] x = {-8f, -5f, -3f};
        double[] expect = {-4.97676845942e-15, -1.4332578594e-6, -0.00404969409489}; // mpmath, 30 digits
        Act.gelu(x, 0, 3);
        for (int i = 0; i < 3; i++) assertEquals(expect[i], x[i], Math.abs(expect[i]) * 1e-5);
    }

    @Test
    void softmaxRows() {
        Random r = new Random(4);
        for (int dim : new int[] {1, 3, 7, 17, 33, 1500}) {
            int rows = 5;
            float[] x = new float[rows * dim + 2];
            for (int i = 0; i < x.length; i++) x[i] = (r.nextFloat() - 0.5f) * 40;
            if (dim > 2) x[1 + dim + 1] = Float.NEGATIVE_INFINITY;   // a masked entry
            float[] a = x.clone(), b = x.clone();
            Act.softmax(a, 1, rows, dim);
            ActScalar.softmax(b, 1, rows, dim);
            Assert.close("softmax dim " + dim, b, a, 1e-7, 2e-6);
            if (dim > 2) assertEquals(0f, a[1 + dim + 1]);
        }
    }

    @Test
    void fusedHelpersMatchTheirDefinitions() {
        Random r = new Random(8);
        for (int dim : new int[] {1, 7, 40, 1280}) {
            int rows = 3;
            float[] x = ConvTest.random(r, rows * dim), bias = ConvTest.random(r, dim);
            for (int i = 0; i < x.length; i++) x[i] *= 4;
            float[] a = x.clone(), b = x.clone();
            Act.addBiasGelu(a, 0, rows, dim, bias);
            ActScalar.addBiasGelu(b, 0, rows, dim, bias);
            Assert.close("addBiasGelu " + dim, b, a, 1e-12, 5e-7);

            float[] g = ConvTest.random(r, rows * 2 * dim);
            float[] ref = new float[rows * dim];
            ActScalar.geglu(g, 0, rows, dim, ref, 0);
            Assert.close("geglu " + dim, ref, Act.geglu(g, rows, dim), 1e-12, 5e-7);
            float[] inPlace = g.clone();
            Act.geglu(inPlace, 0, rows, dim, inPlace, 0);
            Assert.close("geglu in place " + dim, ref, java.util.Arrays.copyOf(inPlace, rows * dim), 1e-12, 5e-7);

            float[] u = ConvTest.random(r, rows * dim), s1 = x.clone(), s2 = x.clone();
            Act.siluMul(s1, 0, u, 0, rows * dim);
            ActScalar.siluMul(s2, 0, u, 0, rows * dim);
            Assert.close("siluMul " + dim, s2, s1, 1e-12, 1e-6);
        }
    }

    @Test
    void scalarErfIsTheDoubleReference() {
        // sanity of the reference itself against known values
        assertEquals(0.8427007929497149, Act.erf(1.0), 1e-15);
        assertEquals(-0.9953222650189527, Act.erf(-2.0), 1e-15);
        assertEquals(0.9999999845827421, Act.erf(4.0), 1e-15);
        assertTrue(Act.erf(1e-10) > 0);
    }
}
