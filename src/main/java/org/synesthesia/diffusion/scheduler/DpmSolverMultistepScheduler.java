package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;

/**
 * Multistep DPM-Solver (Lu et al. 2022), as diffusers' {@code DPMSolverMultistepScheduler}; with the defaults
 * ({@code algorithm_type dpmsolver++}, {@code solver_order 2}, midpoint) this is "DPM++ 2M". Orders 1 and 2,
 * {@code dpmsolver++} and {@code dpmsolver}, midpoint and heun second-order updates are implemented.
 *
 * <p>Noise levels {@code sigma_i} at the N integer timesteps, followed by {@code sigma(t=0)}; from them
 * {@code alpha = 1/sqrt(sigma^2+1)}, {@code s = sigma*alpha}, {@code lambda = log(alpha) - log(s)}. dpmsolver++ works
 * on the data prediction {@code m = (x - s eps)/alpha}; with {@code h = lambda_next - lambda_i}:
 * <pre>
 *   first order:  x' = (s_next/s_i) x - alpha_next (e^-h - 1) m_i
 *   second order (midpoint), r = h_prev/h, D1 = (m_i - m_{i-1})/r:
 *                 x' = (s_next/s_i) x - alpha_next (e^-h - 1) m_i - 0.5 alpha_next (e^-h - 1) D1
 * </pre>
 * The first step is first order; the last is too when {@code euler_at_final}, or {@code lower_order_final} with fewer
 * than 15 steps (and then the one before it is second order).
 */
public final class DpmSolverMultistepScheduler extends BaseScheduler {
    private final boolean plusPlus, heun;
    private float[] sigmas;
    private float[][] modelOutputs;
    private int lowerOrderNums;

    public DpmSolverMultistepScheduler(SchedulerConfig config) {
        super(config);
        config.refuseUnimplemented("dpm++", "thresholding", "use_karras_sigmas", "use_lu_lambdas", "variance_type");
        String alg = config.algorithmType();
        if (!alg.equals("dpmsolver++") && !alg.equals("dpmsolver"))
            throw SchedulerConfig.bad(config.source(), "dpm++: algorithm_type " + alg + " is not supported (dpmsolver++, dpmsolver)");
        String solver = config.solverType();
        if (!solver.equals("midpoint") && !solver.equals("heun"))
            throw SchedulerConfig.bad(config.source(), "dpm++: solver_type " + solver + " is not supported (midpoint, heun)");
        if (config.solverOrder() > 2)
            throw SchedulerConfig.bad(config.source(), "dpm++: solver_order " + config.solverOrder() + " is not supported (1 or 2)");
        this.plusPlus = alg.equals("dpmsolver++");
        this.heun = solver.equals("heun");
    }

    @Override public String name() { return "dpm++"; }

    /** The N+1 noise levels of the current timesteps (the last is sigma at t = 0). */
    public float[] sigmas() {
        requireTimesteps();
        return sigmas.clone();
    }

    @Override
    protected float[] chooseTimesteps(int n) {
        int train = config.numTrainTimesteps();
        float[] trainSigmas = schedule.sigmas();
        // the last train timestep whose log-SNR is above lambda_min_clipped bounds the schedule
        int clipped = 0;
        for (int t = train - 1; t >= 0; t--) {
            float a = schedule.alphaCumprod(t);
            float lambda = (float) Math.log(sqrt(a)) - (float) Math.log(sqrt(1f - a));
            if (lambda < config.lambdaMinClipped()) clipped++;
            else break;
        }
        int last = train - clipped;
        TimestepSpacing spacing = config.timestepSpacing() == null ? TimestepSpacing.LINSPACE : config.timestepSpacing();
        long[] ts = new long[n];
        switch (spacing) {
            case LINSPACE -> {
                double[] l = Numerics.numpyLinspace(0, last - 1, n + 1);
                for (int i = 0; i < n; i++) ts[i] = Numerics.roundHalfEven(l[n - i]);
            }
            case LEADING -> {
                int ratio = last / (n + 1);
                for (int i = 0; i < n; i++) ts[i] = (long) (n - i) * ratio + config.stepsOffset();
            }
            case TRAILING -> {
                double[] a = Numerics.numpyArange(last, 0, -(double) train / n);
                if (a.length != n) throw outOfSchedule("trailing spacing gives " + a.length + " timesteps for " + n + " steps");
                for (int i = 0; i < n; i++) ts[i] = Numerics.roundHalfEven(a[i]) - 1;
            }
        }
        float[] t = new float[n];
        sigmas = new float[n + 1];
        for (int i = 0; i < n; i++) {
            if (ts[i] < 0 || ts[i] >= train) throw outOfSchedule(timestepOutside(ts[i], n));
            t[i] = ts[i];
            sigmas[i] = (float) Numerics.interpOnIndexGrid(ts[i], trainSigmas);
        }
        sigmas[n] = trainSigmas[0];
        modelOutputs = new float[config.solverOrder()][];
        lowerOrderNums = 0;
        return t;
    }

    private static float alphaOf(float sigma) {
        return 1f / sqrt(sigma * sigma + 1f);
    }

    private static float log(float x) {
        return (float) Math.log(x);
    }

    private static float exp(float x) {
        return (float) Math.exp(x);
    }

    /** The model output converted to what the solver integrates: x0 (dpmsolver++) or epsilon (dpmsolver). */
    private float[] convert(float[] out, float[] x, float sigma) {
        float alpha = alphaOf(sigma), s = sigma * alpha;
        int n = x.length;
        float[] r = new float[n];
        PredictionType p = config.predictionType();
        if (plusPlus) {
            switch (p) {
                case EPSILON -> { for (int i = 0; i < n; i++) r[i] = (x[i] - s * out[i]) / alpha; }
                case SAMPLE -> System.arraycopy(out, 0, r, 0, n);
                case V_PREDICTION -> { for (int i = 0; i < n; i++) r[i] = alpha * x[i] - s * out[i]; }
            }
        } else {
            switch (p) {
                case EPSILON -> System.arraycopy(out, 0, r, 0, n);
                case SAMPLE -> { for (int i = 0; i < n; i++) r[i] = (x[i] - alpha * out[i]) / s; }
                case V_PREDICTION -> { for (int i = 0; i < n; i++) r[i] = alpha * out[i] + s * x[i]; }
            }
        }
        return r;
    }

    @Override
    public Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator) {
        beginStep(modelOutput, stepIndex, sample);
        int n = timesteps.length;
        boolean small = config.lowerOrderFinal() && n < 15;
        boolean lowerOrderFinal = stepIndex == n - 1 && (config.eulerAtFinal() || small);
        boolean lowerOrderSecond = stepIndex == n - 2 && small;
        float[] m = convert(modelOutput, sample, sigmas[stepIndex]);
        int order = config.solverOrder();
        for (int i = 0; i < order - 1; i++) modelOutputs[i] = modelOutputs[i + 1];
        modelOutputs[order - 1] = m;
        float[] out;
        if (order == 1 || lowerOrderNums < 1 || lowerOrderFinal) out = firstOrder(m, stepIndex, sample);
        else out = secondOrder(modelOutputs[order - 1], modelOutputs[order - 2], stepIndex, sample);
        if (lowerOrderNums < order) lowerOrderNums++;
        return new Step(out, plusPlus ? m : null);
    }

    private float[] firstOrder(float[] m, int i, float[] x) {
        float sigT = sigmas[i + 1], sigS = sigmas[i];
        float alphaT = alphaOf(sigT), sT = sigT * alphaT;
        float alphaS = alphaOf(sigS), sS = sigS * alphaS;
        float h = (log(alphaT) - log(sT)) - (log(alphaS) - log(sS));
        float a, b;
        if (plusPlus) {
            a = sT / sS;
            b = alphaT * (exp(-h) - 1f);
        } else {
            a = alphaT / alphaS;
            b = sT * (exp(h) - 1f);
        }
        float[] out = new float[x.length];
        for (int k = 0; k < out.length; k++) out[k] = a * x[k] - b * m[k];
        return out;
    }

    private float[] secondOrder(float[] m0, float[] m1, int i, float[] x) {
        float sigT = sigmas[i + 1], sig0 = sigmas[i], sig1 = sigmas[i - 1];
        float alphaT = alphaOf(sigT), sT = sigT * alphaT;
        float alpha0 = alphaOf(sig0), s0 = sig0 * alpha0;
        float alpha1 = alphaOf(sig1), s1 = sig1 * alpha1;
        float lambdaT = log(alphaT) - log(sT), lambda0 = log(alpha0) - log(s0), lambda1 = log(alpha1) - log(s1);
        float h = lambdaT - lambda0, h0 = lambda0 - lambda1;
        float r0 = h0 / h;
        float invR0 = 1f / r0;
        int n = x.length;
        float[] out = new float[n];
        float a, b, c;
        boolean minusD1;
        if (plusPlus) {
            float em1 = exp(-h) - 1f;
            a = sT / s0;
            b = alphaT * em1;
            if (heun) { c = alphaT * (em1 / h + 1f); minusD1 = false; }
            else { c = 0.5f * b; minusD1 = true; }
        } else {
            float em1 = exp(h) - 1f;
            a = alphaT / alpha0;
            b = sT * em1;
            if (heun) c = sT * (em1 / h - 1f);
            else c = 0.5f * b;
            minusD1 = true;
        }
        for (int k = 0; k < n; k++) {
            float d1 = invR0 * (m0[k] - m1[k]);
            float v = a * x[k] - b * m0[k];
            out[k] = minusD1 ? v - c * d1 : v + c * d1;
        }
        return out;
    }
}
