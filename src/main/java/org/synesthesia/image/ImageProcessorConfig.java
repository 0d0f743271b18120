package org.synesthesia.image;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.synesthesia.util.ReadFile;
import org.synesthesia.util.SynesthesiaException;

/**
 * The settings of a {@code CLIPImageProcessor} ({@code preprocessor_config.json}). Resize: when {@code shortestEdge > 0}
 * the shorter side becomes {@code shortestEdge} and the longer {@code (int)(shortestEdge * long / short)}, else the
 * image is resized to exactly {@code resizeHeight x resizeWidth}. Then an optional centre crop to
 * {@code cropHeight x cropWidth}, {@code x * rescaleFactor}, {@code (x - mean[c]) / std[c]}.
 */
public record ImageProcessorConfig(
        boolean doResize, int shortestEdge, int resizeHeight, int resizeWidth, ResampleFilter resample,
        boolean doCenterCrop, int cropHeight, int cropWidth,
        boolean doRescale, double rescaleFactor,
        boolean doNormalize, List<Double> mean, List<Double> std) {

    public static final List<Double> CLIP_MEAN = List.of(0.48145466, 0.4578275, 0.40821073);
    public static final List<Double> CLIP_STD = List.of(0.26862954, 0.26130258, 0.27577711);
    public static final List<Double> IMAGENET_MEAN = List.of(0.485, 0.456, 0.406);
    public static final List<Double> IMAGENET_STD = List.of(0.229, 0.224, 0.225);

    public ImageProcessorConfig {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != 3 || std.size() != 3) throw new IllegalArgumentException("mean and std need 3 values each");
    }

    /** {@code CLIPImageProcessor()}'s defaults: shortest edge 224, bicubic, crop 224x224, 1/255, CLIP mean/std. */
    public static ImageProcessorConfig clipDefaults() {
        return new ImageProcessorConfig(true, 224, 0, 0, ResampleFilter.BICUBIC, true, 224, 224, true, 1 / 255.0,
                true, CLIP_MEAN, CLIP_STD);
    }

    /** The original work's {@code Resize((h, w))}, {@code ToTensor}, ImageNet {@code Normalize}. */
    public static ImageProcessorConfig seed(int height, int width) {
        return new ImageProcessorConfig(true, 0, height, width, ResampleFilter.BILINEAR, false, height, width, true,
                1 / 255.0, true, IMAGENET_MEAN, IMAGENET_STD);
    }

    /** The output height and width of the pixel values for an input of {@code w x h}. */
    public int[] outputSize(int w, int h) {
        if (doCenterCrop) return new int[] {cropHeight, cropWidth};
        if (!doResize) return new int[] {h, w};
        int[] r = resizedSize(w, h);
        return new int[] {r[1], r[0]};
    }

    /**
     * transformers' {@code get_resize_output_image_size(default_to_square=False)}: {width, height} after resizing an
     * image of {@code w x h}.
     */
    public int[] resizedSize(int w, int h) {
        if (shortestEdge <= 0) return new int[] {resizeWidth, resizeHeight};
        int shortSide = Math.min(w, h), longSide = Math.max(w, h);
        // Python: int(size * long / short), true division of ints (correctly rounded), then truncation
        int newLong = (int) ((double) ((long) shortestEdge * longSide) / shortSide);
        return w <= h ? new int[] {shortestEdge, newLong} : new int[] {newLong, shortestEdge};
    }

    /**
     * Reads {@code preprocessor_config.json}; missing keys keep {@link #clipDefaults()}. {@code size} is
     * {@code {"shortest_edge": N}}, {@code {"height": H, "width": W}} or a plain number (shortest edge);
     * {@code crop_size} is {@code {"height": H, "width": W}} or a number.
     */
    public static ImageProcessorConfig read(Path file) {
        if (!Files.isRegularFile(file)) throw SynesthesiaException.inFile(file, "no such file");
        Map<String, Object> j = ReadFile.configObject(file, "image processor config");
        ImageProcessorConfig d = clipDefaults();
        int shortest = d.shortestEdge, rh = 0, rw = 0;
        Object size = j.get("size");
        if (size instanceof Number n) shortest = positive(file, "size", n);
        else if (size instanceof Map<?, ?> m) {
            if (m.get("shortest_edge") instanceof Number n) shortest = positive(file, "size.shortest_edge", n);
            else if (m.get("height") instanceof Number hh && m.get("width") instanceof Number ww) {
                shortest = 0;
                rh = positive(file, "size.height", hh);
                rw = positive(file, "size.width", ww);
            } else throw SynesthesiaException.inFile(file, "size: expected shortest_edge or height and width, got " + m.keySet());
        } else if (size != null) throw SynesthesiaException.inFile(file, "size: expected a number or an object");
        int ch = d.cropHeight, cw = d.cropWidth;
        Object crop = j.get("crop_size");
        if (crop instanceof Number n) ch = cw = positive(file, "crop_size", n);
        else if (crop instanceof Map<?, ?> m) {
            if (!(m.get("height") instanceof Number hh && m.get("width") instanceof Number ww))
                throw SynesthesiaException.inFile(file, "crop_size: expected height and width, got " + m.keySet());
            ch = positive(file, "crop_size.height", hh);
            cw = positive(file, "crop_size.width", ww);
        } else if (crop != null) throw SynesthesiaException.inFile(file, "crop_size: expected a number or an object");
        ResampleFilter resample = d.resample;
        Object rs = j.get("resample");
        if (rs instanceof Number n && n.doubleValue() == n.intValue()) resample = ResampleFilter.fromPil(n.intValue(), file);
        else if (rs != null) throw SynesthesiaException.inFile(file, "resample: expected a PIL filter number, got " + rs);
        Object rf = j.get("rescale_factor");
        double rescale = rf == null ? d.rescaleFactor : rf instanceof Number n ? n.doubleValue() : Double.NaN;
        if (!(rescale > 0) || Double.isInfinite(rescale)) throw SynesthesiaException.inFile(file, "rescale_factor: expected a positive number, got " + rf);
        return new ImageProcessorConfig(
                flag(file, j, "do_resize", true), shortest, rh, rw, resample,
                flag(file, j, "do_center_crop", true), ch, cw,
                flag(file, j, "do_rescale", true), rescale,
                flag(file, j, "do_normalize", true),
                triple(file, j, "image_mean", d.mean), triple(file, j, "image_std", d.std));
    }

    private static int positive(Path file, String key, Number n) {
        double v = n.doubleValue();
        if (v != Math.rint(v) || v < 1 || v > 65536) throw SynesthesiaException.inFile(file, key + ": expected a positive integer, got " + n);
        return (int) v;
    }

    private static boolean flag(Path file, Map<String, Object> j, String key, boolean dflt) {
        Object v = j.get(key);
        if (v == null) return dflt;
        if (v instanceof Boolean b) return b;
        throw SynesthesiaException.inFile(file, key + ": expected true or false, got " + v);
    }

    private static List<Double> triple(Path file, Map<String, Object> j, String key, List<Double> dflt) {
        Object v = j.get(key);
        if (v == null) return dflt;
        if (v instanceof List<?> l && l.size() == 3 && l.stream().allMatch(x -> x instanceof Number)) {
            List<Double> out = l.stream().map(x -> ((Number) x).doubleValue()).toList();
            if (key.equals("image_std") && out.stream().anyMatch(x -> !(x > 0)))
                throw SynesthesiaException.inFile(file, key + ": values must be positive, got " + v);
            return out;
        }
        throw SynesthesiaException.inFile(file, key + ": expected 3 numbers, got " + v);
    }
}
