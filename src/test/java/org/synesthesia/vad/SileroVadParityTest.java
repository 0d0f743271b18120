package org.synesthesia.vad;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.synesthesia.io.SafeTensors;
import org.synesthesia.io.WeightSource;
import org.synesthesia.tensor.Tensor;
import org.synesthesia.testing.SharedData;
import org.synesthesia.util.Json;

/**
 * The real trained Silero VAD v6 (16 kHz) against the reference (golden silero_vad_real: the official module run
 * window by window as its ONNX wrapper drives it, then utils_vad.get_speech_timestamps with its defaults) on real
 * speech (jfk, a HiFi-TTS utterance, the repository's 60 s test recording) and a speech/noise/silence clip.
 */
class SileroVadParityTest {
    /** The golden README's suggested tolerance. */
    static final double TOL = 1e-4;
    static final String SET = "silero_vad_real";

    static Path weightsFile() {
        return SharedData.data("weights/silero-vad/silero_vad_v6_16k.safetensors");
    }

    @Test
    void firstWindowStateMatches() throws IOException {
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        try (WeightSource src = SileroVad.open(weightsFile())) {
            SileroVad vad = new SileroVad(SileroVad.weights(src));
            SileroVad.State s = vad.newState();
            float[] audio = g.get("jfk.audio_16k").toArray();
            float p = vad.window(audio, 0, s);
            float[] in576 = g.get("jfk.window0.input_576").toArray();
            for (int i = 0; i < 64; i++) assertEquals(0f, in576[i]);
            for (int i = 0; i < 512; i++) assertEquals(audio[i], in576[64 + i]);
            assertEquals(g.get("jfk.window0.prob").toArray()[0], p, TOL);
            float[] want = g.get("jfk.window0.state").toArray(), got = s.hc();
            for (int i = 0; i < want.length; i++) assertEquals(want[i], got[i], TOL, "state " + i);
        }
    }

    @Test
    @SuppressWarnings("unchecked")
    void everyClipsProbabilitiesAndSegments() throws IOException {
        Map<String, Object> json = Json.parseObject(Files.readString(SharedData.golden(SET, "golden.json")));
        Map<String, Object> clips = (Map<String, Object>) json.get("clips");
        Map<String, Tensor> g = SafeTensors.readAll(SharedData.golden(SET, "golden.safetensors"));
        assertEquals(4, clips.size());
        try (WeightSource src = SileroVad.open(weightsFile())) {
            SileroVad vad = new SileroVad(SileroVad.weights(src));
            for (var e : clips.entrySet()) {
                String clip = e.getKey();
                Map<String, Object> c = (Map<String, Object>) e.getValue();
                float[] audio = g.get(clip + ".audio_16k").toArray();
                float[] want = g.get(clip + ".probs").toArray();
                float[] got = vad.probabilities(audio);
                assertEquals(((Number) c.get("windows")).intValue(), got.length, clip);
                double worst = 0;
                for (int i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(want[i] - got[i]));
                assertTrue(worst <= TOL, clip + ": max |dp| " + worst);

                List<long[]> wantSeg = new ArrayList<>();
                for (Object o : (List<Object>) c.get("speech_timestamps_samples")) {
                    Map<String, Object> m = (Map<String, Object>) o;
                    wantSeg.add(new long[] {((Number) m.get("start")).longValue(), ((Number) m.get("end")).longValue()});
                }
                List<Segment> seg = SpeechSegmenter.segments(got, audio.length, VadOptions.DEFAULTS);
                assertEquals(wantSeg.size(), seg.size(), clip + " segments " + seg);
                for (int i = 0; i < seg.size(); i++)
                    assertArrayEquals(wantSeg.get(i), new long[] {seg.get(i).start(), seg.get(i).end()}, clip + " segment " + i);
            }
        }
    }
}
