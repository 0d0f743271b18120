package org.synesthesia.diffusion.scheduler;

import java.util.List;
import java.util.Map;
import org.synesthesia.util.ConfigNames;
import org.synesthesia.util.SynesthesiaException;

/**
 * The keys of a diffusers {@code scheduler_config.json} that the schedulers here read, with diffusers' defaults.
 * Keys a scheduler class would not accept are ignored, as diffusers ignores them; keys left out of the file keep the
 * class default ({@code null} below means "the scheduler's own default": {@code timestep_spacing} is leading for
 * DDIM/PNDM and linspace for Euler/DPM-Solver, {@code set_alpha_to_one} true for DDIM and false for PNDM,
 * {@code clip_sample} true for DDIM).
 *
 * @param source where the config came from, for messages
 * @param requested options set in the file that no scheduler here implements (e.g. {@code use_karras_sigmas}); a
 *     scheduler whose diffusers class reads one of them refuses to run rather than silently ignore it
 */
public record SchedulerConfig(
        int numTrainTimesteps,
        double betaStart,
        double betaEnd,
        BetaSchedule betaSchedule,
        float[] trainedBetas,
        PredictionType predictionType,
        TimestepSpacing timestepSpacing,
        int stepsOffset,
        Boolean setAlphaToOne,
        Boolean clipSample,
        double clipSampleRange,
        int solverOrder,
        boolean lowerOrderFinal,
        boolean eulerAtFinal,
        double lambdaMinClipped,
        String algorithmType,
        String solverType,
        List<String> requested,
        String source) {

    public SchedulerConfig {
        requested = List.copyOf(requested);
        if (numTrainTimesteps < 2 || numTrainTimesteps > MAX_TRAIN_TIMESTEPS)
            throw bad(source, "num_train_timesteps must be in 2.." + MAX_TRAIN_TIMESTEPS + ", got " + numTrainTimesteps);
        if (trainedBetas != null && trainedBetas.length != numTrainTimesteps)
            throw bad(source, "trained_betas has " + trainedBetas.length + " values for num_train_timesteps " + numTrainTimesteps);
        if (trainedBetas != null)
            for (int i = 0; i < trainedBetas.length; i++)
                if (!(trainedBetas[i] >= 0 && trainedBetas[i] < 1)) throw bad(source, "trained_betas[" + i + "] = " + trainedBetas[i] + " is not in [0, 1)");
        // a beta is a per-step noise variance: betas in [0, 1) keep every alpha = 1 - beta positive
        if (!(betaStart >= 0 && betaStart < 1)) throw bad(source, "beta_start must be in [0, 1), got " + betaStart);
        if (!(betaEnd >= 0 && betaEnd < 1)) throw bad(source, "beta_end must be in [0, 1), got " + betaEnd);
        if (stepsOffset < 0 || stepsOffset >= numTrainTimesteps)
            throw bad(source, "steps_offset must be in 0.." + (numTrainTimesteps - 1) + " (below num_train_timesteps), got " + stepsOffset);
        if (solverOrder < 1 || solverOrder > 3) throw bad(source, "solver_order must be 1, 2 or 3, got " + solverOrder);
        if (!(clipSampleRange > 0) || Double.isInfinite(clipSampleRange)) throw bad(source, "clip_sample_range must be a positive number, got " + clipSampleRange);
        if (Double.isNaN(lambdaMinClipped)) throw bad(source, "lambda_min_clipped is NaN");
    }

    /** Upper bound on num_train_timesteps (tables of that length are built; released models use 1000). */
    public static final int MAX_TRAIN_TIMESTEPS = 100_000;

    /** diffusers' defaults (the same for every class here, apart from the nullable ones). */
    public static SchedulerConfig defaults() {
        return new SchedulerConfig(1000, 0.0001, 0.02, BetaSchedule.LINEAR, null, PredictionType.EPSILON, null, 0,
                null, null, 1.0, 2, true, false, Double.NEGATIVE_INFINITY, "dpmsolver++", "midpoint", List.of(), "defaults");
    }

    /** Stable Diffusion 1.x/2.x's schedule (scaled_linear 0.00085 to 0.012 over 1000, steps_offset 1, set_alpha_to_one false). */
    public static SchedulerConfig stableDiffusion(PredictionType prediction) {
        return new SchedulerConfig(1000, 0.00085, 0.012, BetaSchedule.SCALED_LINEAR, null, prediction, null, 1,
                false, false, 1.0, 2, true, false, Double.NEGATIVE_INFINITY, "dpmsolver++", "midpoint", List.of(), "stable-diffusion");
    }

    /** Reads the keys of a parsed {@code scheduler_config.json}; {@code source} names the file in errors. */
    public static SchedulerConfig fromMap(Map<String, Object> m, String source) {
        SchedulerConfig d = defaults();
        int train = intKey(m, "num_train_timesteps", d.numTrainTimesteps, source);
        double betaStart = doubleKey(m, "beta_start", d.betaStart, source);
        double betaEnd = doubleKey(m, "beta_end", d.betaEnd, source);
        String bs = stringKey(m, "beta_schedule", ConfigNames.of(d.betaSchedule), source);
        BetaSchedule schedule = ConfigNames.parse(BetaSchedule.class, bs);
        if (schedule == null) throw bad(source, "unsupported beta_schedule '" + bs + "' (linear, scaled_linear, squaredcos_cap_v2)");
        float[] trained = null;
        Object tb = m.get("trained_betas");
        if (tb != null) {
            if (!(tb instanceof List<?> l)) throw bad(source, "trained_betas is not a list");
            trained = new float[l.size()];
            for (int i = 0; i < trained.length; i++) {
                if (!(l.get(i) instanceof Number n)) throw bad(source, "trained_betas holds a non-number at " + i);
                trained[i] = n.floatValue();
            }
        }
        String pt = stringKey(m, "prediction_type", d.predictionType.configName(), source);
        PredictionType prediction = PredictionType.byName(pt);
        if (prediction == null) throw bad(source, "unsupported prediction_type '" + pt + "' (epsilon, v_prediction, sample)");
        TimestepSpacing spacing = null;
        String sp = stringKey(m, "timestep_spacing", null, source);
        if (sp != null) {
            spacing = ConfigNames.parse(TimestepSpacing.class, sp);
            if (spacing == null) throw bad(source, "unsupported timestep_spacing '" + sp + "' (leading, linspace, trailing)");
        }
        int offset = intKey(m, "steps_offset", d.stepsOffset, source);
        Boolean alphaToOne = m.get("set_alpha_to_one") == null ? null : boolKey(m, "set_alpha_to_one", false, source);
        Boolean clip = m.get("clip_sample") == null ? null : boolKey(m, "clip_sample", false, source);
        double clipRange = doubleKey(m, "clip_sample_range", d.clipSampleRange, source);
        int order = intKey(m, "solver_order", d.solverOrder, source);
        boolean lowerFinal = boolKey(m, "lower_order_final", d.lowerOrderFinal, source);
        boolean eulerFinal = boolKey(m, "euler_at_final", d.eulerAtFinal, source);
        double lambdaMin = doubleKey(m, "lambda_min_clipped", d.lambdaMinClipped, source);
        String algorithm = stringKey(m, "algorithm_type", d.algorithmType, source);
        String solver = stringKey(m, "solver_type", d.solverType, source);

        List<String> requested = new java.util.ArrayList<>();
        for (String k : List.of("thresholding", "use_karras_sigmas", "use_lu_lambdas", "rescale_betas_zero_snr"))
            if (boolKey(m, k, false, source)) requested.add(k + "=true");
        String interp = stringKey(m, "interpolation_type", "linear", source);
        if (!interp.equals("linear")) requested.add("interpolation_type=" + interp);
        String tt = stringKey(m, "timestep_type", "discrete", source);
        if (!tt.equals("discrete")) requested.add("timestep_type=" + tt);
        String vt = stringKey(m, "variance_type", null, source);
        if (vt != null && vt.startsWith("learned")) requested.add("variance_type=" + vt);
        if (!boolKey(m, "skip_prk_steps", false, source)) requested.add("skip_prk_steps=false");
        if (m.get("sigma_min") != null) requested.add("sigma_min");
        if (m.get("sigma_max") != null) requested.add("sigma_max");
        return new SchedulerConfig(train, betaStart, betaEnd, schedule, trained, prediction, spacing, offset, alphaToOne,
                clip, clipRange, order, lowerFinal, eulerFinal, lambdaMin, algorithm, solver, requested, source);
    }

    /**
     * This config as a diffusers {@code scheduler_config.json} of class {@code className} ({@link #fromMap} reads it
     * back equal, {@link #requested} aside): the nullable keys only when set, {@code skip_prk_steps} true (PNDM as
     * Stable Diffusion runs it).
     */
    public Map<String, Object> toMap(String className) {
        Map<String, Object> m = new java.util.LinkedHashMap<>();
        m.put("_class_name", className);
        m.put("num_train_timesteps", (long) numTrainTimesteps);
        m.put("beta_start", betaStart);
        m.put("beta_end", betaEnd);
        m.put("beta_schedule", ConfigNames.of(betaSchedule));
        if (trainedBetas != null) {
            List<Double> b = new java.util.ArrayList<>(trainedBetas.length);
            for (float x : trainedBetas) b.add(Double.parseDouble(Float.toString(x)));
            m.put("trained_betas", b);
        }
        m.put("prediction_type", predictionType.configName());
        if (timestepSpacing != null) m.put("timestep_spacing", ConfigNames.of(timestepSpacing));
        m.put("steps_offset", (long) stepsOffset);
        if (setAlphaToOne != null) m.put("set_alpha_to_one", setAlphaToOne);
        if (clipSample != null) m.put("clip_sample", clipSample);
        m.put("clip_sample_range", clipSampleRange);
        m.put("skip_prk_steps", true);
        m.put("solver_order", (long) solverOrder);
        m.put("lower_order_final", lowerOrderFinal);
        m.put("euler_at_final", eulerAtFinal);
        if (Double.isFinite(lambdaMinClipped)) m.put("lambda_min_clipped", lambdaMinClipped);
        m.put("algorithm_type", algorithmType);
        m.put("solver_type", solverType);
        return m;
    }

    /** This config with another prediction type. */
    public SchedulerConfig withPredictionType(PredictionType p) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, p, timestepSpacing,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange, solverOrder, lowerOrderFinal, eulerAtFinal,
                lambdaMinClipped, algorithmType, solverType, requested, source);
    }

    /** This config with another timestep spacing. */
    public SchedulerConfig withTimestepSpacing(TimestepSpacing s) {
        return new SchedulerConfig(numTrainTimesteps, betaStart, betaEnd, betaSchedule, trainedBetas, predictionType, s,
                stepsOffset, setAlphaToOne, clipSample, clipSampleRange, solverOrder, lowerOrderFinal, eulerAtFinal,
                lambdaMinClipped, algorithmType, solverType, requested, source);
    }

    /** Fails with one line if the config asks for an option in {@code readByClass} (keys of {@link #requested}) that is not implemented. */
    void refuseUnimplemented(String scheduler, String... readByClass) {
        for (String r : requested)
            for (String k : readByClass)
                if (r.equals(k) || r.startsWith(k + "="))
                    throw bad(source, scheduler + ": " + r + " is not supported");
    }

    static SynesthesiaException bad(String source, String problem) {
        return SynesthesiaException.inFile(source, problem);
    }

    private static int intKey(Map<String, Object> m, String k, int dflt, String source) {
        Object v = m.get(k);
        if (v == null) return dflt;
        if (v instanceof Long l && l >= Integer.MIN_VALUE && l <= Integer.MAX_VALUE) return (int) (long) l;
        if (v instanceof Double x && x == Math.rint(x) && Math.abs(x) < Integer.MAX_VALUE) return (int) (double) x;
        throw bad(source, k + " is not an integer: " + v);
    }

    private static double doubleKey(Map<String, Object> m, String k, double dflt, String source) {
        Object v = m.get(k);
        if (v == null) return dflt;
        if (v instanceof Number n) return n.doubleValue();
        throw bad(source, k + " is not a number: " + v);
    }

    private static boolean boolKey(Map<String, Object> m, String k, boolean dflt, String source) {
        Object v = m.get(k);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw bad(source, k + " is not true/false: " + v);
    }

    private static String stringKey(Map<String, Object> m, String k, String dflt, String source) {
        Object v = m.get(k);
        if (v == null) return dflt;
        if (v instanceof String s) return s;
        throw bad(source, k + " is not a string: " + v);
    }
}
