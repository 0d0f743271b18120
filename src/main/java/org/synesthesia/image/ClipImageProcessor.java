package org.synesthesia.image;

import java.nio.file.Path;
import org.synesthesia.tensor.Tensor;

/**
 * An RGB image to a vision model's {@code pixel_values}, as transformers' {@code CLIPImageProcessor} (4.31) or the
 * original work's torchvision pipeline ({@link ImagePreprocess}).
 *
 * <p>CLIP: PIL resize ({@link PillowResize}, bicubic) so the shorter side is 224 (300x200 -> 336x224), centre crop
 * 224x224 with {@code top = floor((h - 224) / 2)}, {@code left = floor((w - 224) / 2)} (zero padding where the image
 * is smaller, as transformers' {@code center_crop}), {@code r = float32(x * rescale_factor)} (numpy: uint8 times a
 * Python float in float64, then cast), {@code (r - mean[c]) / std[c]} in float32.
 * SEED: PIL bilinear resize to exactly 224x224, {@code r = float32(x) / 255} in float32 (torchvision
 * {@code ToTensor}), {@code (r - mean[c]) / std[c]} with ImageNet's mean and std, in float32.
 * Output: channel-first {@code [3, H, W]} floats.
 */
public final class ClipImageProcessor {
    private final ImagePreprocess mode;
    private final ImageProcessorConfig config;

    private ClipImageProcessor(ImagePreprocess mode, ImageProcessorConfig config) {
        this.mode = mode;
        this.config = config;
    }

    /** {@code CLIPImageProcessor()} with its defaults (224, bicubic, CLIP mean/std). */
    public static ClipImageProcessor clip() {
        return new ClipImageProcessor(ImagePreprocess.CLIP, ImageProcessorConfig.clipDefaults());
    }

    /** A {@code CLIPImageProcessor} configured by {@code preprocessor_config.json}. */
    public static ClipImageProcessor clip(ImageProcessorConfig config) {
        return new ClipImageProcessor(ImagePreprocess.CLIP, config);
    }

    /** The original work's preprocessing to {@code size x size} (224 for ViT-B/32). */
    public static ClipImageProcessor seed(int size) {
        return new ClipImageProcessor(ImagePreprocess.SEED, ImageProcessorConfig.seed(size, size));
    }

    /**
     * The processor for {@code mode}: CLIP from {@code preprocessorConfig} when not null, else its defaults; SEED
     * resizes to the config's crop size when one is given (the model's input size), else 224x224.
     */
    public static ClipImageProcessor of(ImagePreprocess mode, Path preprocessorConfig) {
        ImageProcessorConfig c = preprocessorConfig == null ? ImageProcessorConfig.clipDefaults() : ImageProcessorConfig.read(preprocessorConfig);
        return switch (mode) {
            case CLIP -> clip(c);
            case SEED -> new ClipImageProcessor(ImagePreprocess.SEED, ImageProcessorConfig.seed(c.cropHeight(), c.cropWidth()));
        };
    }

    public ImagePreprocess mode() {
        return mode;
    }

    public ImageProcessorConfig config() {
        return config;
    }

    /** The uint8 image after the resize step (the image itself when {@code do_resize} is false). */
    public RgbImage resized(RgbImage image) {
        if (!config.doResize()) return image;
        int[] wh = config.resizedSize(image.width(), image.height());
        return PillowResize.resize(image, wh[0], wh[1], config.resample());
    }

    /** The uint8 image after resize and centre crop. */
    public RgbImage cropped(RgbImage image) {
        RgbImage r = resized(image);
        return config.doCenterCrop() ? centreCrop(r, config.cropHeight(), config.cropWidth()) : r;
    }

    /** Pixel values {@code [3, H, W]} (H x W = the crop size, 224x224 by default), channel-first. */
    public float[] pixelValues(RgbImage image) {
        return normalised(cropped(image));
    }

    /** Rescale and normalise a cropped uint8 image to channel-first floats. */
    private float[] normalised(RgbImage r) {
        int n = r.width() * r.height();
        float[] out = new float[3 * n];
        byte[] rgb = r.rgb();
        for (int c = 0; c < 3; c++) {
            float mean = config.mean().get(c).floatValue(), std = config.std().get(c).floatValue();
            for (int i = 0; i < n; i++) {
                int x = rgb[3 * i + c] & 0xff;
                float v;
                if (mode == ImagePreprocess.SEED) v = x / 255f;
                else v = config.doRescale() ? (float) (x * config.rescaleFactor()) : x;
                if (config.doNormalize()) v = (v - mean) / std;
                out[c * n + i] = v;
            }
        }
        return out;
    }

    /** Pixel values as a batch of one, {@code [1, 3, H, W]}. */
    public Tensor tensor(RgbImage image) {
        RgbImage r = cropped(image);
        return Tensor.of(normalised(r), 1, 3, r.height(), r.width());
    }

    /**
     * transformers' {@code center_crop} on uint8 pixels: {@code top = floor((h - ch) / 2)}, {@code left = floor((w - cw) / 2)};
     * where the crop is larger than the image, the image is first padded with zeros to {@code max(h, ch) x max(w, cw)},
     * centred at {@code floor((new - old) / 2)}.
     */
    static RgbImage centreCrop(RgbImage img, int ch, int cw) {
        int h = img.height(), w = img.width();
        if (h == ch && w == cw) return img;
        int nh = Math.max(h, ch), nw = Math.max(w, cw);
        int padTop = (nh - h) / 2, padLeft = (nw - w) / 2;
        int top = Math.floorDiv(h - ch, 2) + padTop, left = Math.floorDiv(w - cw, 2) + padLeft;
        byte[] out = new byte[ch * cw * 3];
        byte[] src = img.rgb();
        for (int y = 0; y < ch; y++) {
            int py = top + y - padTop; // row in the original image
            if (py < 0 || py >= h) continue;
            for (int x = 0; x < cw; x++) {
                int px = left + x - padLeft;
                if (px < 0 || px >= w) continue;
                System.arraycopy(src, (py * w + px) * 3, out, (y * cw + x) * 3, 3);
            }
        }
        return new RgbImage(cw, ch, out);
    }
}
