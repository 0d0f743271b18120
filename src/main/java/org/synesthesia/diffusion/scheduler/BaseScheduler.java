package org.synesthesia.diffusion.scheduler;

/** What every scheduler here shares: its config, the noise schedule, the chosen timesteps and the step-order check. */
abstract class BaseScheduler implements Scheduler {
    protected final SchedulerConfig config;
    protected final NoiseSchedule schedule;
    protected float[] timesteps;
    protected int numInferenceSteps;
    private int nextStep;

    BaseScheduler(SchedulerConfig config) {
        this.config = config;
        this.schedule = NoiseSchedule.of(config);
    }

    public SchedulerConfig config() {
        return config;
    }

    public NoiseSchedule noiseSchedule() {
        return schedule;
    }

    @Override
    public final void setTimesteps(int numInferenceSteps) {
        int train = config.numTrainTimesteps();
        if (numInferenceSteps < 1 || numInferenceSteps > train)
            throw new IllegalArgumentException(name() + ": the number of steps must be between 1 and num_train_timesteps (" + train + "), got " + numInferenceSteps);
        this.numInferenceSteps = numInferenceSteps;
        this.timesteps = chooseTimesteps(numInferenceSteps);
        this.nextStep = 0;
    }

    /** Fills the timesteps (and any per-step tables) for N steps and resets history. */
    protected abstract float[] chooseTimesteps(int n);

    @Override
    public float[] timesteps() {
        requireTimesteps();
        return timesteps.clone();
    }

    @Override
    public float[] scaleModelInput(float[] sample, int stepIndex) {
        requireIndex(stepIndex);
        return sample;
    }

    @Override
    public float[] addNoise(float[] original, float[] noise, int stepIndex) {
        requireIndex(stepIndex);
        checkNoise(original, noise);
        float a = schedule.alphaCumprod((int) timesteps[stepIndex]);
        float sa = sqrt(a), sb = sqrt(1f - a);
        float[] out = new float[original.length];
        for (int i = 0; i < out.length; i++) out[i] = sa * original[i] + sb * noise[i];
        return out;
    }

    protected final void checkNoise(float[] original, float[] noise) {
        if (original.length != noise.length)
            throw new IllegalArgumentException(name() + ": noise has " + noise.length + " values, the sample " + original.length);
    }

    @Override
    public final void beginAt(int stepIndex) {
        requireIndex(stepIndex);
        if (nextStep != 0) throw new IllegalStateException(name() + ": beginAt after sampling started (call setTimesteps first)");
        nextStep = stepIndex;
    }

    protected final void requireTimesteps() {
        if (timesteps == null) throw new IllegalStateException(name() + ": call setTimesteps before sampling");
    }

    protected final void requireIndex(int stepIndex) {
        requireTimesteps();
        if (stepIndex < 0 || stepIndex >= timesteps.length)
            throw new IllegalArgumentException(name() + ": step index " + stepIndex + " outside 0.." + (timesteps.length - 1));
    }

    /** Checks the arguments of {@link #step} and that steps come in order; returns the index. */
    protected final int beginStep(float[] modelOutput, int stepIndex, float[] sample) {
        requireIndex(stepIndex);
        if (modelOutput.length != sample.length)
            throw new IllegalArgumentException(name() + ": model output has " + modelOutput.length + " values, the sample " + sample.length);
        if (stepIndex != nextStep)
            throw new IllegalStateException(name() + ": step " + stepIndex + " taken out of order (expected step " + nextStep + "; call setTimesteps to start over)");
        nextStep++;
        return stepIndex;
    }

    /** {@link #ascendingTimesteps(TimestepSpacing, int)} with the config's spacing, leading when it names none. */
    protected final long[] ascendingTimesteps(int n) {
        return ascendingTimesteps(config.timestepSpacing() == null ? TimestepSpacing.LEADING : config.timestepSpacing(), n);
    }

    /** The config's one-line error for timesteps that leave the training schedule (e.g. a large steps_offset). */
    protected final org.synesthesia.util.SynesthesiaException outOfSchedule(String problem) {
        return SchedulerConfig.bad(config.source(), name() + ": " + problem);
    }

    /** "timestep T outside 0..train-1 (steps_offset O with N steps)". */
    protected final String timestepOutside(double t, int n) {
        String ts = t == Math.rint(t) ? Long.toString((long) t) : Double.toString(t);
        return "timestep " + ts + " outside 0.." + (config.numTrainTimesteps() - 1) + " (steps_offset " + config.stepsOffset() + " with " + n + " steps)";
    }

    /** The timesteps of {@code spacing} for N steps as DDIM and PNDM choose them, ascending. */
    protected final long[] ascendingTimesteps(TimestepSpacing spacing, int n) {
        int train = config.numTrainTimesteps();
        long[] t = new long[n];
        switch (spacing) {
            case LINSPACE -> {
                double[] l = Numerics.numpyLinspace(0, train - 1, n);
                for (int i = 0; i < n; i++) t[i] = Numerics.roundHalfEven(l[i]);
            }
            case LEADING -> {
                int ratio = train / n;
                for (int i = 0; i < n; i++) t[i] = (long) i * ratio + config.stepsOffset();
            }
            case TRAILING -> {
                double[] a = Numerics.numpyArange(train, 0, -(double) train / n);
                if (a.length != n) throw outOfSchedule("trailing spacing gives " + a.length + " timesteps for " + n + " steps");
                for (int i = 0; i < n; i++) t[n - 1 - i] = Numerics.roundHalfEven(a[i]) - 1;
            }
        }
        for (long x : t)
            if (x < 0 || x >= train)
                throw outOfSchedule(timestepOutside(x, n));
        return t;
    }

    /** {@code alphas_cumprod[t]}, or the final value past the start of the chain. */
    protected final float alphaCumprodOrFinal(long t, boolean setAlphaToOne) {
        return t >= 0 ? schedule.alphaCumprod((int) t) : schedule.finalAlphaCumprod(setAlphaToOne);
    }

    protected static float sqrt(float x) {
        return (float) Math.sqrt(x);
    }
}
