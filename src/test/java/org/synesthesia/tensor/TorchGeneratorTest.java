package org.synesthesia.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.testing.SharedData;

/** Bit-exact parity with torch.randn / torch.rand on the PyTorch CPU generator (golden torch_randn). */
class TorchGeneratorTest {
    private static Map<String, Tensor> golden() {
        Path p = SharedData.golden("torch_randn", "golden.safetensors");
        return SafeTensors.readAll(p);
    }

    private static void assertBitExact(String what, float[] expected, float[] actual) {
        assertEquals(expected.length, actual.length, what + ": length");
        int bad = 0, first = -1;
        for (int i = 0; i < expected.length; i++)
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                if (first < 0) first = i;
                bad++;
            }
        if (bad > 0)
            fail(what + ": " + bad + " of " + expected.length + " values differ; first at " + first + ": " + actual[first] + " vs expected " + expected[first]);
    }

    @Test
    void randnMatchesTorchForEveryGoldenShape() {
        Map<String, Tensor> g = golden();
        check(g, "randn.seed0.8", 0, 8);
        check(g, "randn.seed42.15", 42, 15);
        check(g, "randn.seed42.16", 42, 16);
        check(g, "randn.seed42.1x4x64x64", 42, 1, 4, 64, 64);
        check(g, "randn.seed1234.2x4x8x8", 1234, 2, 4, 8, 8);
        check(g, "randn.seed4294967303.1x4x16x16", 4294967303L, 1, 4, 16, 16);
        check(g, "randn.seed7.3x17", 7, 3, 17);
    }

    private static void check(Map<String, Tensor> g, String name, long seed, int... shape) {
        assertBitExact(name, g.get(name).toArray(), new TorchGenerator(seed).randn(shape));
    }

    @Test
    void successiveDrawsContinueTheStream() {
        Map<String, Tensor> g = golden();
        TorchGenerator gen = new TorchGenerator(99);
        assertBitExact("first", g.get("randn.seed99.first.1x4x8x8").toArray(), gen.randn(1, 4, 8, 8));
        assertBitExact("second", g.get("randn.seed99.second.1x4x8x8").toArray(), gen.randn(1, 4, 8, 8));
    }

    @Test
    void randMatchesTorch() {
        assertBitExact("rand.seed5.20", golden().get("rand.seed5.20").toArray(), new TorchGenerator(5).rand(20));
    }

    /** The reference MT19937 (seed 5489) produces 3499211612 first and 4123659995 as its 10000th output. */
    @Test
    void engineIsStandardMt19937() {
        TorchGenerator g = new TorchGenerator(5489);
        assertEquals(3499211612L, g.nextU32());
        for (int i = 2; i < 10000; i++) g.nextU32();
        assertEquals(4123659995L, g.nextU32());
    }
}
