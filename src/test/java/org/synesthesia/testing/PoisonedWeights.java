package org.synesthesia.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.synesthesia.util.Json;

/**
 * A copy of a safetensors file with the first element of one tensor replaced by NaN (in its stored type: F32, F16
 * or BF16), for the run-time NaN/Inf checks: everything else, header included, is byte-identical.
 */
public final class PoisonedWeights {
    private PoisonedWeights() {}

    /** Copies {@code src} to {@code dst} with {@code tensor[0] = NaN}; returns {@code dst}. */
    @SuppressWarnings("unchecked")
    public static Path copyWithNaN(Path src, Path dst, String tensor) throws IOException {
        byte[] b = Files.readAllBytes(src);
        ByteBuffer buf = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        int headerLen = (int) buf.getLong(0);
        Map<String, Object> header = Json.parseObject(new String(b, 8, headerLen, StandardCharsets.UTF_8));
        Map<String, Object> entry = (Map<String, Object>) header.get(tensor);
        if (entry == null) throw new IllegalArgumentException(src + " has no tensor " + tensor);
        int at = 8 + headerLen + ((Number) ((List<Object>) entry.get("data_offsets")).get(0)).intValue();
        switch ((String) entry.get("dtype")) {
            case "F32" -> buf.putInt(at, Float.floatToRawIntBits(Float.NaN));
            case "F16" -> buf.putShort(at, (short) 0x7e00);
            case "BF16" -> buf.putShort(at, (short) 0x7fc0);
            default -> throw new IllegalArgumentException(tensor + " is " + entry.get("dtype"));
        }
        Files.createDirectories(dst.toAbsolutePath().getParent());
        Files.deleteIfExists(dst);
        return Files.write(dst, b);
    }
}
