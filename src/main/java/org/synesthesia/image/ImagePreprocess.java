package org.synesthesia.image;

import java.util.Locale;
import org.synesthesia.util.SynesthesiaException;

/** Which preprocessing turns an image into a vision model's pixel values ({@code --preprocess}). */
public enum ImagePreprocess {
    /**
     * transformers' {@code CLIPImageProcessor}: shortest side to 224 (PIL bicubic), centre crop 224x224, /255, CLIP's
     * mean and std; read from {@code preprocessor_config.json} where one is given.
     */
    CLIP,
    /**
     * The original work's own: torchvision {@code Resize((224, 224))} (PIL bilinear, no crop: the aspect ratio is not
     * kept), {@code ToTensor} (/255), ImageNet {@code Normalize}. Its trained translators saw these inputs.
     */
    SEED;

    /** {@code clip} or {@code seed}; anything else is one line naming the accepted values. */
    public static ImagePreprocess parse(String s) {
        return switch (s.toLowerCase(Locale.ROOT)) {
            case "clip" -> CLIP;
            case "seed" -> SEED;
            default -> throw new SynesthesiaException("--preprocess: unknown value '" + s + "' (expected clip or seed)");
        };
    }
}
