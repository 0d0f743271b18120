package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.SynesthesiaException;

/** The factory, timestep spacings, and the stochastic schedulers (DDIM eta > 0, Euler ancestral). */
class SchedulersTest {
    @TempDir Path tmp;

    static SchedulerConfig sd(TimestepSpacing spacing) {
        return SchedulerConfig.stableDiffusion(PredictionType.EPSILON).withTimestepSpacing(spacing);
    }

    static float[] floats(long... v) {
        float[] f = new float[v.length];
        for (int i = 0; i < v.length; i++) f[i] = v[i];
        return f;
    }

    @Test
    void timestepSpacingsFollowDiffusers() {
        DdimScheduler d = new DdimScheduler(sd(TimestepSpacing.LEADING));
        d.setTimesteps(10);
        assertArrayEquals(floats(901, 801, 701, 601, 501, 401, 301, 201, 101, 1), d.timesteps());
        d = new DdimScheduler(sd(TimestepSpacing.TRAILING));
        d.setTimesteps(10);
        assertArrayEquals(floats(999, 899, 799, 699, 599, 499, 399, 299, 199, 99), d.timesteps());
        d = new DdimScheduler(sd(TimestepSpacing.LINSPACE));
        d.setTimesteps(10);
        assertArrayEquals(floats(999, 888, 777, 666, 555, 444, 333, 222, 111, 0), d.timesteps());
        // trailing with a step ratio that is not an integer: round(arange(1000, 0, -1000/3)) - 1
        d = new DdimScheduler(sd(TimestepSpacing.TRAILING));
        d.setTimesteps(3);
        assertArrayEquals(floats(999, 666, 332), d.timesteps());

        PndmScheduler p = new PndmScheduler(sd(null));
        p.setTimesteps(4);
        assertArrayEquals(floats(751, 501, 501, 251, 1), p.timesteps());

        DpmSolverMultistepScheduler m = new DpmSolverMultistepScheduler(sd(TimestepSpacing.LEADING));
        m.setTimesteps(4);
        assertArrayEquals(floats(801, 601, 401, 201), m.timesteps());
        m = new DpmSolverMultistepScheduler(sd(TimestepSpacing.TRAILING));
        m.setTimesteps(4);
        assertArrayEquals(floats(999, 749, 499, 249), m.timesteps());
    }

    @Test
    void eulerInitNoiseSigmaDependsOnSpacing() {
        EulerDiscreteScheduler lin = new EulerDiscreteScheduler(sd(null));
        lin.setTimesteps(10);
        float max = lin.sigmas()[0];
        assertEquals(max, lin.initNoiseSigma());
        EulerDiscreteScheduler lead = new EulerDiscreteScheduler(sd(TimestepSpacing.LEADING));
        lead.setTimesteps(10);
        assertArrayEquals(floats(901, 801, 701, 601, 501, 401, 301, 201, 101, 1), lead.timesteps());
        float m = lead.sigmas()[0];
        assertEquals((float) Math.sqrt(m * m + 1f), lead.initNoiseSigma());
        assertEquals(0f, lead.sigmas()[10]);
    }

    @Test
    void betaSchedules() {
        SchedulerConfig base = SchedulerConfig.defaults();
        float[] lin = NoiseSchedule.of(base).betas();
        assertEquals(0.0001f, lin[0]);
        assertEquals(0.02f, lin[999]);
        Map<String, Object> cos = new HashMap<>(Map.of("beta_schedule", "squaredcos_cap_v2"));
        float[] c = NoiseSchedule.of(SchedulerConfig.fromMap(cos, "x")).betas();
        assertEquals(0.999f, c[999]); // capped
        assertTrue(c[0] > 0 && c[0] < 1e-4, "first cosine beta " + c[0]);
        for (int i = 1; i < 999; i++) assertTrue(c[i] >= c[i - 1], "cosine betas increase");
        float[] ac = NoiseSchedule.of(SchedulerConfig.fromMap(cos, "x")).alphasCumprod();
        assertTrue(ac[999] < 1e-4 && ac[0] > 0.9999f);
    }

    @Test
    void ddimWithEtaAddsScaledNoiseFromTheGenerator() {
        float[] x = new TorchGenerator(1).randn(64), eps = new TorchGenerator(2).randn(64);
        DdimScheduler det = new DdimScheduler(sd(null), 0.0), sto = new DdimScheduler(sd(null), 1.0);
        det.setTimesteps(10);
        sto.setTimesteps(10);
        float[] a = det.step(eps, 0, x, null).prevSample();
        TorchGenerator g = new TorchGenerator(3);
        float[] b = sto.step(eps, 0, x, g).prevSample();
        float[] noise = new TorchGenerator(3).randn(64);
        // std = eta * sqrt((1-a_p)/(1-a_t) * (1 - a_t/a_p)); the deterministic part also shrinks with std^2
        NoiseSchedule s = sto.noiseSchedule();
        float at = s.alphaCumprod(901), ap = s.alphaCumprod(801);
        double std = Math.sqrt((1 - ap) / (1 - at) * (1 - at / ap));
        double x0Coeff = Math.sqrt(ap), dirEta = Math.sqrt(1 - ap - std * std);
        for (int i = 0; i < 64; i++) {
            double x0 = (x[i] - Math.sqrt(1 - at) * eps[i]) / Math.sqrt(at);
            double expect = x0Coeff * x0 + dirEta * eps[i] + std * noise[i];
            assertEquals(expect, b[i], 2e-6, "element " + i);
        }
        assertNotEquals(a[0], b[0]);
        // the generator advanced by exactly one draw of 64
        float[] next = g.randn(64);
        TorchGenerator h = new TorchGenerator(3);
        h.randn(64);
        assertArrayEquals(h.randn(64), next);
        DdimScheduler noGen = new DdimScheduler(sd(null), 1.0);
        noGen.setTimesteps(10);
        assertThrows(IllegalArgumentException.class, () -> noGen.step(eps, 0, x, null));
    }

    @Test
    void eulerAncestralSplitsTheStepIntoDownAndUp() {
        float[] x = new TorchGenerator(1).randn(32), eps = new TorchGenerator(2).randn(32);
        EulerAncestralScheduler a = new EulerAncestralScheduler(sd(null));
        a.setTimesteps(5);
        float[] sig = a.sigmas();
        float[] out = a.step(eps, 0, x, new TorchGenerator(9)).prevSample();
        float[] noise = new TorchGenerator(9).randn(32);
        double from = sig[0], to = sig[1];
        double up = Math.sqrt(to * to * (from * from - to * to) / (from * from)), down = Math.sqrt(to * to - up * up);
        for (int i = 0; i < 32; i++) {
            double expect = x[i] + eps[i] * (down - from) + up * noise[i];
            assertEquals(expect, out[i], 2e-5 * Math.max(1, Math.abs(expect)), "element " + i);
        }
        // the last step goes to sigma 0: no noise, the same as plain Euler
        EulerAncestralScheduler a2 = new EulerAncestralScheduler(sd(null));
        EulerDiscreteScheduler e = new EulerDiscreteScheduler(sd(null));
        a2.setTimesteps(1);
        e.setTimesteps(1);
        assertArrayEquals(e.step(eps, 0, x, null).prevSample(), a2.step(eps, 0, x, new TorchGenerator(0)).prevSample());
    }

    @Test
    void stepsMustComeInOrder() {
        Scheduler p = new PndmScheduler(sd(null));
        p.setTimesteps(5);
        float[] x = new float[4];
        p.step(x, 0, x, null);
        assertThrows(IllegalStateException.class, () -> p.step(x, 2, x, null));
        assertThrows(IllegalStateException.class, () -> new DdimScheduler(sd(null)).timesteps());
        assertThrows(IllegalArgumentException.class, () -> new DdimScheduler(sd(null)).setTimesteps(0));
        assertThrows(IllegalArgumentException.class, () -> new DdimScheduler(sd(null)).setTimesteps(1001));
    }

    @Test
    void factoryReadsRealConfigsAndOverrides() {
        Path sd15 = SharedData.data("configs/sd15/scheduler/scheduler_config.json");
        Path sd21 = SharedData.data("configs/sd21/scheduler/scheduler_config.json");
        assertInstanceOf(PndmScheduler.class, Schedulers.fromFile(sd15, null));
        Scheduler v = Schedulers.fromFile(sd21, null);
        assertInstanceOf(DdimScheduler.class, v);
        assertEquals(PredictionType.V_PREDICTION, ((DdimScheduler) v).config().predictionType());
        for (String name : Schedulers.NAMES) {
            Scheduler s = Schedulers.fromFile(sd15, name);
            assertEquals(name, s.name());
            s.setTimesteps(20);
            assertTrue(s.timesteps().length >= 20);
        }
        // SD 1.5's PNDM config read as Euler: linspace spacing (the class default), steps_offset kept but unused
        Scheduler e = Schedulers.fromFile(sd15, "euler");
        e.setTimesteps(50);
        assertEquals(999f, e.timesteps()[0]);
        assertEquals(0f, e.timesteps()[49]);
        Scheduler d = Schedulers.fromFile(SharedData.golden("sd_tiny", "scheduler/scheduler_config.json"), null);
        d.setTimesteps(10);
        assertEquals(901f, d.timesteps()[0]);
    }

    @Test
    void badConfigsAreOneLineErrors() throws IOException {
        Path f = tmp.resolve("scheduler_config.json");
        Files.writeString(f, "{\"_class_name\": \"DDIMScheduler\", \"beta_schedule\": \"sigmoid\"}");
        SynesthesiaException e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(f, null));
        assertTrue(e.getMessage().startsWith(f.toString()) && e.getMessage().contains("sigmoid"), e.getMessage());
        Files.writeString(f, "{\"_class_name\": \"LMSDiscreteScheduler\"}");
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(f, null));
        assertTrue(e.getMessage().contains("LMSDiscreteScheduler"), e.getMessage());
        Files.writeString(f, "{\"_class_name\": \"EulerDiscreteScheduler\", \"use_karras_sigmas\": true}");
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(f, null));
        assertTrue(e.getMessage().contains("use_karras_sigmas"), e.getMessage());
        assertInstanceOf(DdimScheduler.class, Schedulers.fromFile(f, "ddim")); // DDIM does not read that key
        Files.writeString(f, "{\"_class_name\": ");
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(f, null));
        assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(tmp.resolve("missing.json"), null));
        assertTrue(e.getMessage().contains("no such file"), e.getMessage());
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.create("lms", SchedulerConfig.defaults()));
        assertTrue(e.getMessage().contains("ddim"), e.getMessage());
        Files.writeString(f, "{\"_class_name\": \"PNDMScheduler\"}");
        e = assertThrows(SynesthesiaException.class, () -> Schedulers.fromFile(f, null));
        assertTrue(e.getMessage().contains("skip_prk_steps"), e.getMessage());
        assertEquals(List.of(), SchedulerConfig.stableDiffusion(PredictionType.EPSILON).requested());
    }
}
