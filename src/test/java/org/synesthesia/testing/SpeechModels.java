package org.synesthesia.testing;

import java.io.IOException;
import java.nio.file.Path;

/**
 * What speech-to-image tests run on: the tiny SD folder (built in {@code dir}), jfk.wav, the random tiny Whisper
 * and the tokenizer folder.
 */
public record SpeechModels(Path sd, Path wav, Path whisper, Path tokenizers) {
    public static SpeechModels in(Path dir) throws IOException {
        return new SpeechModels(SdTinyFolder.sd1(dir), SharedData.data("speech/jfk/jfk.wav"),
                SharedData.golden("whisper_tiny_random", "weights.safetensors"), SharedData.data("tokenizers"));
    }
}
