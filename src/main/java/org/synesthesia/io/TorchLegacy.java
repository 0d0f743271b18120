package org.synesthesia.io;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.math.BigInteger;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.synesthesia.util.SynesthesiaException;

/**
 * PyTorch's legacy (pre-1.6, non-zip) checkpoints: five things back to back,
 * <ol>
 *   <li>a pickle of the magic number {@code 0x1950a86a20f9469cfc6c},</li>
 *   <li>a pickle of the protocol version (1001),</li>
 *   <li>a pickle of {@code sys_info} ({@code little_endian}, type sizes),</li>
 *   <li>the pickled object, tensors as persistent ids {@code ('storage', type, KEY, location, numel, view)},</li>
 *   <li>a pickled list of storage keys, then for each key in that order an int64 little-endian element count
 *       and the storage's raw bytes.</li>
 * </ol>
 * Tensors are views of the mapping. See {@link TorchStateDict} for naming.
 */
public final class TorchLegacy extends TorchSource {
    static final BigInteger MAGIC = new BigInteger("1950a86a20f9469cfc6c", 16);

    private TorchLegacy(MappedFile file, Arena scratch, TorchStateDict.Result r) {
        super(file, scratch, r);
    }

    public static TorchLegacy open(Path path) {
        return TorchSource.open(path, TorchLegacy::parse, TorchLegacy::new);
    }

    private static TorchStateDict.Result parse(MappedFile f, Arena scratch) {
        Path path = f.path();
        Cursor c = new Cursor(path, f.segment());
        Object magic = Unpickler.load(c, path, null);
        boolean ok = magic instanceof BigInteger b ? b.equals(MAGIC) : false;
        if (!ok) throw SynesthesiaException.inFile(path, "not a legacy PyTorch checkpoint (wrong magic number)");
        Object version = Unpickler.load(c, path, null);
        if (!(version instanceof Long v) || v != 1001) throw SynesthesiaException.inFile(path, "unsupported legacy PyTorch protocol version " + version);
        Object sysInfo = Unpickler.load(c, path, null);
        if (sysInfo instanceof Map<?, ?> m && Boolean.FALSE.equals(m.get("little_endian")))
            throw SynesthesiaException.inFile(path, "saved on a big-endian machine, which is not supported");
        Map<String, TorchStateDict.StorageRef> seen = new HashMap<>();
        Object root = Unpickler.load(c, path, TorchStateDict.persistentLoader(path, seen));
        if (!(Unpickler.load(c, path, null) instanceof List<?> keys)) throw SynesthesiaException.inFile(path, "malformed: the storage key list is missing");
        Map<String, MemorySegment> data = new HashMap<>();
        for (Object k : keys) {
            String key = String.valueOf(k);
            TorchStateDict.StorageRef s = seen.get(key);
            if (s == null) throw SynesthesiaException.inFile(path, "malformed: storage " + key + " is not used by the pickle, so its element size is unknown");
            long numel = c.i64("element count of storage " + key);
            if (numel != s.numel()) throw SynesthesiaException.inFile(path, "malformed: storage " + key + " holds " + numel + " elements, the pickle says " + s.numel());
            String q = org.synesthesia.util.SafeText.quote(key);
            long bytes;
            try {
                if (numel < 0) throw new ArithmeticException();
                bytes = Math.multiplyExact(numel, (long) s.dtype().blockBytes);
            } catch (ArithmeticException e) {
                throw SynesthesiaException.inFile(path, "damaged tensor header: storage " + q + " claims " + numel + " elements of " + s.dtype());
            }
            data.put(key, c.slice(bytes, "storage " + q));
        }
        return TorchStateDict.build(path, root, s -> {
            MemorySegment seg = data.get(s.key());
            if (seg == null) throw SynesthesiaException.inFile(path, "truncated or damaged: storage " + s.key() + " has no data");
            return seg;
        }, scratch);
    }

    @Override public String format() { return "pytorch-legacy"; }
}
