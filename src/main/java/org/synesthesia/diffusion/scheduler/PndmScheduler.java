package org.synesthesia.diffusion.scheduler;

import org.synesthesia.tensor.TorchGenerator;
import java.util.ArrayList;
import java.util.List;

/**
 * PNDM with {@code skip_prk_steps} (Liu et al. 2022's pseudo linear multistep, "PLMS"), as diffusers'
 * {@code PNDMScheduler} runs it for Stable Diffusion. It makes N+1 model calls: the first timestep is evaluated twice
 * (an Euler step then the average of both slopes, a second-order start), after which each step combines the last
 * up to four model outputs with Adams-Bashforth weights ((3,-1)/2, (23,-16,5)/12, (55,-59,37,-9)/24). The transfer
 * from t to p is
 * <pre>
 *   x_p = sqrt(a_p/a_t) x - (a_p - a_t) e / (a_t sqrt(1-a_p) + sqrt(a_t (1-a_t) a_p))
 * </pre>
 * (v-prediction outputs are turned into epsilon first: {@code e = sqrt(a_t) v + sqrt(1-a_t) x}).
 */
public final class PndmScheduler extends BaseScheduler {
    private final boolean setAlphaToOne;
    private final List<float[]> ets = new ArrayList<>();
    private float[] curSample;
    private int counter;

    public PndmScheduler(SchedulerConfig config) {
        super(config);
        if (config.predictionType() == PredictionType.SAMPLE)
            throw SchedulerConfig.bad(config.source(), "pndm: prediction_type sample is not supported (epsilon or v_prediction)");
        if (config.requested().contains("skip_prk_steps=false"))
            throw SchedulerConfig.bad(config.source(), "pndm: only skip_prk_steps=true (PLMS, as Stable Diffusion uses) is supported");
        this.setAlphaToOne = config.setAlphaToOne() != null && config.setAlphaToOne();
    }

    @Override public String name() { return "pndm"; }

    @Override
    protected float[] chooseTimesteps(int n) {
        long[] asc = ascendingTimesteps(n);
        // concat(t[:-1], t[-2:-1], t[-1:]) reversed: descending, with the second-highest timestep taken twice
        List<Long> plms = new ArrayList<>();
        for (int i = 0; i < n - 1; i++) plms.add(asc[i]);
        if (n >= 2) plms.add(asc[n - 2]);
        plms.add(asc[n - 1]);
        float[] t = new float[plms.size()];
        for (int i = 0; i < t.length; i++) t[i] = plms.get(plms.size() - 1 - i);
        ets.clear();
        curSample = null;
        counter = 0;
        return t;
    }

    @Override
    public Step step(float[] modelOutput, int stepIndex, float[] sample, TorchGenerator generator) {
        beginStep(modelOutput, stepIndex, sample);
        int ratio = config.numTrainTimesteps() / numInferenceSteps;
        long t = (long) timesteps[stepIndex];
        long prev = t - ratio;
        if (counter != 1) {
            while (ets.size() > 3) ets.remove(0);
            ets.add(modelOutput.clone());
        } else {
            prev = t;
            t = t + ratio;
        }
        int n = sample.length, k = ets.size();
        float[] e = new float[n];
        float[] x = sample;
        if (k == 1 && counter == 0) {
            System.arraycopy(modelOutput, 0, e, 0, n);
            curSample = sample.clone();
        } else if (k == 1 && counter == 1) {
            float[] e1 = ets.get(k - 1);
            for (int i = 0; i < n; i++) e[i] = (modelOutput[i] + e1[i]) / 2f;
            x = curSample;
            curSample = null;
        } else if (k == 2) {
            float[] e1 = ets.get(k - 1), e2 = ets.get(k - 2);
            for (int i = 0; i < n; i++) e[i] = (3f * e1[i] - e2[i]) / 2f;
        } else if (k == 3) {
            float[] e1 = ets.get(k - 1), e2 = ets.get(k - 2), e3 = ets.get(k - 3);
            for (int i = 0; i < n; i++) e[i] = (23f * e1[i] - 16f * e2[i] + 5f * e3[i]) / 12f;
        } else {
            float[] e1 = ets.get(k - 1), e2 = ets.get(k - 2), e3 = ets.get(k - 3), e4 = ets.get(k - 4);
            float w = (float) (1.0 / 24);
            for (int i = 0; i < n; i++) e[i] = w * (55f * e1[i] - 59f * e2[i] + 37f * e3[i] - 9f * e4[i]);
        }
        float[] out = prevSample(x, t, prev, e);
        counter++;
        return new Step(out, null);
    }

    private float[] prevSample(float[] x, long t, long prev, float[] e) {
        float aT = schedule.alphaCumprod((int) t);
        float aPrev = alphaCumprodOrFinal(prev, setAlphaToOne);
        float betaT = 1f - aT, betaPrev = 1f - aPrev;
        int n = x.length;
        if (config.predictionType() == PredictionType.V_PREDICTION) {
            float sa = sqrt(aT), sb = sqrt(betaT);
            float[] eps = new float[n];
            for (int i = 0; i < n; i++) eps[i] = sa * e[i] + sb * x[i];
            e = eps;
        }
        float sampleCoeff = sqrt(aPrev / aT);
        float denom = aT * sqrt(betaPrev) + sqrt(aT * betaT * aPrev);
        float diff = aPrev - aT;
        float[] out = new float[n];
        for (int i = 0; i < n; i++) out[i] = sampleCoeff * x[i] - diff * e[i] / denom;
        return out;
    }
}
